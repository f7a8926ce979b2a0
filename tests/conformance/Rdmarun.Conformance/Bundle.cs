using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>A bundle directory (config.json + rootfs copied from the template) owned by one case.</summary>
sealed class Bundle
{
    public string Dir { get; }
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public JsonObject Config { get; }

    public JsonObject Process => (JsonObject)Config["process"]!;
    public JsonObject Linux => (JsonObject)Config["linux"]!;

    /// <summary>Set in rootless mode: the bundle belongs to this user and its config is `spec --rootless`'s.</summary>
    public RootlessUser? User { get; }

    Bundle(string dir, JsonObject config, RootlessUser? user) => (Dir, Config, User) = (dir, config, user);

    public static async Task<Bundle> CreateAsync(string dir, Assets assets, IEnumerable<string> args, RootlessUser? user = null)
    {
        Directory.CreateDirectory(dir);
        // cp -a keeps busybox's symlinks and modes exactly as the template has them.
        var cp = await ProcessRunner.RunAsync(["cp", "-a", assets.TemplateRootfs, Path.Combine(dir, "rootfs")], dir, TimeScale.Of(TimeSpan.FromMinutes(1)));
        if (cp.ExitCode != 0)
            throw new InvalidOperationException($"copying rootfs into {dir} failed: {cp.Stderr.Trim()}");
        var config = DefaultSpec.Create(args);
        if (user is not null)
        {
            RootlessSpec.Apply(config, user);
            await user.ChownAsync(dir);
        }
        return new Bundle(dir, config, user);
    }

    public void SetArgs(params string[] args) => Process["args"] = DefaultSpec.Array(args);

    /// <summary>Replaces the namespace list; a rootless bundle keeps its user namespace (it cannot run without).</summary>
    public void SetNamespaces(params string[] types) =>
        Linux["namespaces"] = new JsonArray(types.Concat(User is null ? [] : ["user"]).Distinct().Select(t => (JsonNode?)DefaultSpec.Ns(t)).ToArray());

    public bool HasNamespace(string type) => ((JsonArray)Linux["namespaces"]!).Any(ns => (string?)ns!["type"] == type);

    /// <summary>Rootless: map container ids 1.. to the user's subordinate ids (or skip the case); rootful: nothing to do.</summary>
    public void NeedIds(long needed)
    {
        if (User is not null)
            RootlessSpec.MapSubordinateIds(Config, User, needed);
    }

    public void AddNamespace(string type, string? path = null) =>
        ((JsonArray)Linux["namespaces"]!).Add(DefaultSpec.Ns(type, path));

    public void AddMount(JsonObject mount) => ((JsonArray)Config["mounts"]!).Add(mount);

    public JsonObject Resources => (JsonObject)(Linux["resources"] ??= new JsonObject());

    public JsonObject Hooks => (JsonObject)(Config["hooks"] ??= new JsonObject());

    public void AddHook(string stage, string path, string[] args)
    {
        var list = (JsonArray)(Hooks[stage] ??= new JsonArray());
        list.Add(new JsonObject { ["path"] = path, ["args"] = DefaultSpec.Array(args), ["timeout"] = 10 });
    }

    public void Save() =>
        File.WriteAllText(Path.Combine(Dir, "config.json"), Config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Host path of a path inside the container's rootfs.</summary>
    public string HostPath(string containerPath) => Path.Combine(Rootfs, containerPath.TrimStart('/'));
}
