using System.Text.Json.Nodes;

namespace Rdmarun.OciSpec.Tests;

/// <summary>
/// The fixtures are `runc spec` and `runc spec --rootless` (runc 1.1.5) run as root on a cgroup v1 host;
/// only ociVersion differs, since we write the version we implement.
/// </summary>
public class SpecDefaultsTests
{
    static JsonNode RuncOutput(string fixture)
    {
        var node = Fixtures.Node(Fixtures.Bytes(fixture));
        node["ociVersion"] = SpecVersion.Current;
        return node;
    }

    [Fact]
    public void Default_matches_runc_spec()
    {
        var ours = SpecDefaults.Create(rootless: false, cgroup2: false, hostUid: 0, hostGid: 0);
        Fixtures.AssertSameJson(RuncOutput("runc-spec-default.json"), Fixtures.Node(SpecJson.Serialize(ours)));
    }

    [Fact]
    public void Rootless_matches_runc_spec_rootless()
    {
        var ours = SpecDefaults.Create(rootless: true, cgroup2: false, hostUid: 0, hostGid: 0);
        Fixtures.AssertSameJson(RuncOutput("runc-spec-rootless.json"), Fixtures.Node(SpecJson.Serialize(ours)));
    }

    [Fact]
    public void Default_is_written_in_runc_layout()
    {
        // Same bytes as runc apart from the version line, so `diff` against runc's file shows one line.
        string runc = System.Text.Encoding.UTF8.GetString(Fixtures.Bytes("runc-spec-default.json"))
            .Replace("\"1.0.2-dev\"", $"\"{SpecVersion.Current}\"");
        Assert.Equal(runc, SpecJson.Serialize(SpecDefaults.Create(false, false, 0, 0)));
    }

    [Fact]
    public void Rootless_maps_the_callers_ids()
    {
        var spec = SpecDefaults.Create(rootless: true, cgroup2: false, hostUid: 1000, hostGid: 1001);
        var uid = Assert.Single(spec.Linux!.UIDMappings!);
        var gid = Assert.Single(spec.Linux.GIDMappings!);
        Assert.Equal((0u, 1000u, 1u), (uid.ContainerID, uid.HostID, uid.Size));
        Assert.Equal((0u, 1001u, 1u), (gid.ContainerID, gid.HostID, gid.Size));
        Assert.Equal(["pid", "ipc", "uts", "mount", "user"], spec.Linux.Namespaces!.Select(n => n.Type));
    }

    [Fact]
    public void Cgroup2_host_gets_a_cgroup_namespace()
    {
        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "cgroup"],
            SpecDefaults.Create(false, cgroup2: true, 0, 0).Linux!.Namespaces!.Select(n => n.Type));
        Assert.Equal(["pid", "ipc", "uts", "mount", "cgroup", "user"],
            SpecDefaults.Create(true, cgroup2: true, 0, 0).Linux!.Namespaces!.Select(n => n.Type));
    }

    [Fact]
    public void Host_overload_uses_this_process()
    {
        var spec = SpecDefaults.Create(rootless: true);
        string status = File.ReadAllText("/proc/self/status");
        string euid = status.Split('\n').First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];
        Assert.Equal(uint.Parse(euid), spec.Linux!.UIDMappings![0].HostID);
        bool cgroup2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        Assert.Equal(cgroup2, spec.Linux.Namespaces!.Any(n => n.Type == "cgroup"));
    }

    [Fact]
    public void Each_call_returns_a_fresh_object()
    {
        var a = SpecDefaults.Create(false, false, 0, 0);
        a.Process!.Args!.Add("-c");
        a.Process.Capabilities!.Bounding!.Clear();
        var b = SpecDefaults.Create(false, false, 0, 0);
        Assert.Equal(["sh"], b.Process!.Args!);
        Assert.Equal(3, b.Process.Capabilities!.Bounding!.Count);
    }
}
