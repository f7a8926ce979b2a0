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

    Bundle(string dir, JsonObject config) => (Dir, Config) = (dir, config);

    public static async Task<Bundle> CreateAsync(string dir, Assets assets, IEnumerable<string> args)
    {
        Directory.CreateDirectory(dir);
        // cp -a keeps busybox's symlinks and modes exactly as the template has them.
        var cp = await ProcessRunner.RunAsync(["cp", "-a", assets.TemplateRootfs, Path.Combine(dir, "rootfs")], dir, TimeScale.Of(TimeSpan.FromMinutes(1)));
        if (cp.ExitCode != 0)
            throw new InvalidOperationException($"copying rootfs into {dir} failed: {cp.Stderr.Trim()}");
        return new Bundle(dir, DefaultSpec.Create(args));
    }

    public void SetArgs(params string[] args) => Process["args"] = DefaultSpec.Array(args);

    public void SetNamespaces(params string[] types) =>
        Linux["namespaces"] = new JsonArray(types.Select(t => (JsonNode?)DefaultSpec.Ns(t)).ToArray());

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
