using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>Each namespace type: listed in the config → a new namespace; left out → the host's.</summary>
static class NamespaceCases
{
    // config.json type → /proc/self/ns name
    static readonly (string Type, string Proc)[] Types =
        [("pid", "pid"), ("network", "net"), ("ipc", "ipc"), ("uts", "uts"), ("cgroup", "cgroup")];

    public static IEnumerable<ConformanceCase> All =>
    [
        .. Types.Select(t => new ConformanceCase($"ns-{t.Proc}", $"{t.Type} namespace: new when listed, host's when not",
            c => NewVersusHost(c, t.Type, t.Proc))),
        new("ns-mnt", "mount namespace is always new", MountNamespace),
        new("ns-pid-one", "the container process is pid 1 in a new pid namespace", PidOne),
        new("ns-join-path", "a namespace given by path is joined, not created", JoinByPath),
        new("uts-hostname", "hostname is set in the new uts namespace", UtsHostname),
        new("uts-domainname", "domainname is set in the new uts namespace", UtsDomainname),
        new("userns-mappings", "user namespace with uid/gid mappings: uid_map and gid_map inside", UserNamespace),
    ];

    static async Task NewVersusHost(CaseContext c, string type, string proc)
    {
        string host = HostInfo.NsInode(proc);

        var withNs = await c.NewBundleAsync();
        withNs.SetNamespaces([.. new[] { "mount", "pid", "network", "ipc", "uts" }.Union([type])]);
        Check.NotEqual(host, (await c.RunValidatorAsync(withNs)).NsInode(proc), $"{proc} namespace inode with {type} listed");

        var without = await c.NewBundleAsync();
        without.SetNamespaces([.. new[] { "mount", "pid", "network", "ipc", "uts" }.Where(t => t != type)]);
        if (type == "uts")
            without.Config.Remove("hostname"); // setting a hostname requires a private uts namespace
        if (without.User is not null)
            ShareHostFilesystems(without, type);
        Check.Equal(host, (await c.RunValidatorAsync(without)).NsInode(proc), $"{proc} namespace inode with {type} left out");
    }

    /// <summary>
    /// Rootless, a namespace left out is owned by the host's user namespace, and the kernel lets only its
    /// owner mount the matching filesystem: /proc for a pid namespace, mqueue for an ipc namespace.
    /// A rootless user binds the host's /proc instead and goes without /dev/mqueue (as podman --pid=host does).
    /// </summary>
    static void ShareHostFilesystems(Bundle b, string type)
    {
        var mounts = (JsonArray)b.Config["mounts"]!;
        string? destination = type switch { "pid" => "/proc", "ipc" => "/dev/mqueue", _ => null };
        int i = mounts.Select(m => (string?)m!["destination"]).ToList().IndexOf(destination);
        if (i < 0)
            return;
        mounts.RemoveAt(i);
        if (type == "pid")
            mounts.Insert(i, DefaultSpec.Mount("/proc", "bind", "/proc", "rbind", "nosuid", "noexec", "nodev"));
    }

    static async Task MountNamespace(CaseContext c)
    {
        var facts = await c.RunValidatorAsync(await c.NewBundleAsync());
        Check.NotEqual(HostInfo.NsInode("mnt"), facts.NsInode("mnt"), "mnt namespace inode");
    }

    static async Task PidOne(CaseContext c)
    {
        var facts = await c.RunValidatorAsync(await c.NewBundleAsync());
        Check.Equal("1", facts["pid"], "pid inside a new pid namespace");
    }

    static async Task JoinByPath(CaseContext c)
    {
        // A paused container owns a net namespace; a second container joins it by /proc/PID/ns/net.
        var owner = await c.NewBundleAsync("quiet", "pause");
        if (!owner.HasNamespace("network"))
            owner.AddNamespace("network"); // rootless bundles have none: the joiner would join the host's
        string ownerId = c.NewId();
        await c.StartedAsync(owner, ownerId);
        int pid = CaseContext.Pid(await c.WaitForStatusAsync(ownerId, "running"));
        string expected = HostInfo.NsInode(pid.ToString(), "net");

        var joiner = await c.NewBundleAsync();
        joiner.SetNamespaces("mount", "pid", "ipc", "uts");
        joiner.AddNamespace("network", $"/proc/{pid}/ns/net");
        if (joiner.User is not null)
        {
            // The owner's user namespace owns its net namespace: only a process inside it may join (a pod).
            joiner.Linux["namespaces"] = new JsonArray(((JsonArray)joiner.Linux["namespaces"]!)
                .Where(ns => (string?)ns!["type"] != "user").Select(ns => ns!.DeepClone()).ToArray());
            joiner.AddNamespace("user", $"/proc/{pid}/ns/user");
        }
        Check.Equal(expected, (await c.RunValidatorAsync(joiner)).NsInode("net"), "net namespace inode of the joining container");
    }

    static async Task UtsHostname(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        b.Config["hostname"] = "conformance-host";
        var facts = await c.RunValidatorAsync(b);
        Check.Equal("conformance-host", facts["hostname"], "hostname");
        Check.NotEqual(HostInfo.NsInode("uts"), facts.NsInode("uts"), "uts namespace inode");
    }

    // domainname arrived in runtime-spec 1.1 (opencontainers/runtime-spec#1156); runc supports it from 1.2.
    static async Task UtsDomainname(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        b.Config["domainname"] = "example.test";
        Check.Equal("example.test", (await c.RunValidatorAsync(b))["domainname"], "domainname");
    }

    static async Task UserNamespace(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        if (b.User is null)
        {
            b.AddNamespace("user");
            b.Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
            b.Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        }
        else
            b.NeedIds(65536); // the user's own id as root, then its subordinate range
        var facts = await c.RunValidatorAsync(b);
        Check.NotEqual(HostInfo.NsInode("user"), facts.NsInode("user"), "user namespace inode");
        Check.Equal(Expected(b.Linux["uidMappings"]!), Normalize(facts["uid_map"]), "uid_map inside");
        Check.Equal(Expected(b.Linux["gidMappings"]!), Normalize(facts["gid_map"]), "gid_map inside");
        Check.Equal("0", facts["uid"], "uid inside");
    }

    static string Expected(JsonNode mappings) =>
        string.Join(' ', ((JsonArray)mappings).Select(m => $"{m!["containerID"]} {m["hostID"]} {m["size"]}"));

    static string Normalize(string map) => string.Join(' ', map.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
