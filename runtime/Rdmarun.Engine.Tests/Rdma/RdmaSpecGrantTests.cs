using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;
using Rdmarun.Rdma.Tests;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>What `create` writes into the spec for an RDMA request, against fake sysfs trees (the kernel lab's rxe0, an HPC host).</summary>
public sealed class RdmaSpecGrantTests : IDisposable
{
    readonly SysfsFixture _lab = SysfsFixture.RxeLab();
    readonly string _dir = Directory.CreateTempSubdirectory("rdma-grant-").FullName;

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    string MissingPolicy => Path.Combine(_dir, "absent.json");

    string Policy(string json)
    {
        var path = Path.Combine(_dir, "rdma.json");
        File.WriteAllText(path, json);
        return path;
    }

    static Spec NewSpec(Dictionary<string, string>? annotations = null, List<string>? env = null) => new()
    {
        Process = new Process { Args = ["sh"], Env = env ?? ["PATH=/bin"] },
        Root = new Root { Path = "rootfs" },
        Annotations = annotations,
        Linux = new Linux { Namespaces = [new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "network" }] },
    };

    static Dictionary<string, string> Devices(string list) => new() { ["org.rdmarun.rdma.devices"] = list };

    static string Json(Spec s) => System.Text.Encoding.UTF8.GetString(SpecJson.SerializeToUtf8(s, JsonLayout.Compact));

    [Fact]
    public void annotation_grant_adds_uverbs_and_rdma_cm_nodes_rules_memlock_and_annotations()
    {
        var spec = NewSpec(Devices("rxe0"));
        spec.Process!.Rlimits = [new POSIXRlimit { Type = "RLIMIT_MEMLOCK", Soft = 65536, Hard = 65536 }, new POSIXRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 1024 }];

        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);

        Assert.Equal(["rxe0"], outcome.Devices);
        Assert.Equal(["rxe0", "uverbs0"], outcome.SysfsVisible);
        Assert.Equal(["/dev/infiniband/uverbs0 c 231:192 438", "/dev/infiniband/rdma_cm c 10:124 438"],
            spec.Linux!.Devices!.Select(d => $"{d.Path} {d.Type} {d.Major}:{d.Minor} {d.FileMode}"));
        Assert.Equal(["c 231:192 rwm", "c 10:124 rwm"],
            spec.Linux.Resources!.Devices!.Where(r => r.Allow).Select(r => $"{r.Type} {r.Major}:{r.Minor} {r.Access}"));
        Assert.Null(spec.Linux.Resources.Rdma); // the built-in policy sets no limits
        var memlock = Assert.Single(spec.Process.Rlimits, r => r.Type == "RLIMIT_MEMLOCK");
        Assert.Equal((ulong.MaxValue, ulong.MaxValue), (memlock.Soft, memlock.Hard));
        Assert.Contains(spec.Process.Rlimits, r => r.Type == "RLIMIT_NOFILE" && r.Soft == 1024);
        Assert.Equal("rxe0", spec.Annotations!["org.rdmarun.rdma.granted"]);
        Assert.Equal("/dev/infiniband/uverbs0,/dev/infiniband/rdma_cm", spec.Annotations["org.rdmarun.rdma.granted-nodes"]);
    }

    [Fact]
    public void env_rdma_visible_devices_grants_like_the_annotation()
    {
        var spec = NewSpec(env: ["PATH=/bin", "RDMA_VISIBLE_DEVICES=rxe0"]);
        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        Assert.Equal(["rxe0"], outcome.Devices);
        Assert.Contains(spec.Linux!.Devices!, d => d.Path == "/dev/infiniband/uverbs0");
    }

    [Fact]
    public void umad_only_when_asked_and_allowed_issm_never_without_sm()
    {
        var spec = NewSpec(new() { ["org.rdmarun.rdma.devices"] = "rxe0", ["org.rdmarun.rdma.mad"] = "true" });
        var outcome = RdmaSpecGrant.Apply(spec, Policy("""{"mad": true}"""), _lab.Root);
        Assert.Equal(["/dev/infiniband/uverbs0", "/dev/infiniband/umad0", "/dev/infiniband/rdma_cm"], spec.Linux!.Devices!.Select(d => d.Path));
        Assert.Equal(["rxe0", "uverbs0", "umad0"], outcome.SysfsVisible);
    }

    [Fact]
    public void mad_refused_by_the_default_policy_leaves_the_spec_untouched()
    {
        var spec = NewSpec(new() { ["org.rdmarun.rdma.devices"] = "rxe0", ["org.rdmarun.rdma.mad"] = "sm" });
        var before = Json(spec);
        var e = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root));
        Assert.StartsWith("rdma: management datagram access (umad) to device rxe0 is not allowed by policy", e.Message);
        Assert.Equal(before, Json(spec));
    }

    [Fact]
    public void absent_device_is_refused_naming_what_is_present()
    {
        var spec = NewSpec(Devices("mlx5_0"));
        var e = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root));
        Assert.Equal("rdma: device mlx5_0 (from annotation org.rdmarun.rdma.devices) is not present on this host (present: rxe0)", e.Message);
        Assert.Null(spec.Linux!.Devices);
    }

    [Fact]
    public void device_outside_the_policy_is_refused()
    {
        var spec = NewSpec(Devices("rxe0"));
        var e = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(spec, Policy("""{"devices": {"mlx5_0": {}}}"""), _lab.Root));
        Assert.Contains("device rxe0 (from annotation org.rdmarun.rdma.devices) is not allowed by policy", e.Message);
    }

    [Fact]
    public void bad_request_and_bad_policy_become_runtime_errors()
    {
        var bad = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(NewSpec(Devices("all,rxe0")), MissingPolicy, _lab.Root));
        Assert.Contains("cannot be combined with device names", bad.Message);
        var policy = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(NewSpec(Devices("rxe0")), Policy("""{"mda": true}"""), _lab.Root));
        Assert.StartsWith("rdma: policy ", policy.Message);
    }

    [Fact]
    public void spec_limit_names_the_device_and_becomes_linux_resources_rdma()
    {
        var spec = NewSpec();
        spec.Linux!.Resources = new LinuxResources { Rdma = new() { ["rxe0"] = new LinuxRdma { HcaHandles = 1 } } };
        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        Assert.Equal(["rxe0"], outcome.Devices);
        var limit = spec.Linux.Resources.Rdma!["rxe0"];
        Assert.Equal((1u, (uint?)null), (limit.HcaHandles, limit.HcaObjects));
    }

    [Fact]
    public void policy_default_limits_are_written_for_granted_devices()
    {
        var spec = NewSpec(Devices("rxe0"));
        RdmaSpecGrant.Apply(spec, Policy("""{"defaultHcaHandles": 4, "defaultHcaObjects": 1000}"""), _lab.Root);
        var limit = spec.Linux!.Resources!.Rdma!["rxe0"];
        Assert.Equal((4u, 1000u), (limit.HcaHandles!.Value, limit.HcaObjects!.Value));
    }

    [Fact]
    public void annotation_limits_of_max_leave_the_resource_unlimited()
    {
        var spec = NewSpec(new() { ["org.rdmarun.rdma.devices"] = "rxe0", ["org.rdmarun.rdma.hca-handles"] = "2", ["org.rdmarun.rdma.hca-objects"] = "max" });
        RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        var limit = spec.Linux!.Resources!.Rdma!["rxe0"];
        Assert.Equal((2u, (uint?)null), (limit.HcaHandles, limit.HcaObjects));
    }

    [Fact]
    public void policy_memlock_only_raises_an_explicit_annotation_sets_it_exactly()
    {
        var policy = Policy("""{"memlock": "1g"}""");
        var higher = NewSpec(Devices("rxe0"));
        higher.Process!.Rlimits = [new POSIXRlimit { Type = "RLIMIT_MEMLOCK", Soft = ulong.MaxValue, Hard = ulong.MaxValue }];
        RdmaSpecGrant.Apply(higher, policy, _lab.Root);
        Assert.Equal(ulong.MaxValue, Assert.Single(higher.Process.Rlimits).Soft);

        var lower = NewSpec(Devices("rxe0"));
        lower.Process!.Rlimits = [new POSIXRlimit { Type = "RLIMIT_MEMLOCK", Soft = 65536, Hard = 65536 }];
        RdmaSpecGrant.Apply(lower, policy, _lab.Root);
        Assert.Equal(1UL << 30, Assert.Single(lower.Process.Rlimits).Hard);

        var asked = NewSpec(new() { ["org.rdmarun.rdma.devices"] = "rxe0", ["org.rdmarun.rdma.memlock"] = "64m" });
        asked.Process!.Rlimits = [new POSIXRlimit { Type = "RLIMIT_MEMLOCK", Soft = ulong.MaxValue, Hard = ulong.MaxValue }];
        RdmaSpecGrant.Apply(asked, policy, _lab.Root);
        Assert.Equal(64UL << 20, Assert.Single(asked.Process.Rlimits).Soft);
    }

    [Fact]
    public void no_request_leaves_the_spec_alone_and_hides_every_device_by_default()
    {
        var spec = NewSpec();
        var before = Json(spec);
        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        Assert.Equal(before, Json(spec));
        Assert.Empty(outcome.Devices);
        Assert.NotNull(outcome.SysfsVisible);
        Assert.Empty(outcome.SysfsVisible);
    }

    [Fact]
    public void explicit_none_also_hides_every_device()
    {
        var spec = NewSpec(Devices("none"));
        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        Assert.Empty(outcome.SysfsVisible!);
        Assert.Null(spec.Linux!.Devices);
        Assert.Equal("none", spec.Annotations!["org.rdmarun.rdma.granted"]);
    }

    [Fact]
    public void policy_switch_turns_hiding_off_for_ungranted_containers()
    {
        var outcome = RdmaSpecGrant.Apply(NewSpec(), Policy("""{"hideUngranted": false}"""), _lab.Root);
        Assert.Null(outcome.SysfsVisible);
    }

    [Fact]
    public void policy_switch_must_be_a_boolean()
    {
        var e = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(NewSpec(), Policy("""{"hideUngranted": "no"}"""), _lab.Root));
        Assert.EndsWith("rdma.json: $.hideUngranted must be true or false", e.Message);
    }

    [Fact]
    public void host_without_rdma_needs_no_filter_and_reads_no_policy()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "norma")).FullName;
        var outcome = RdmaSpecGrant.Apply(NewSpec(), Policy("not json"), empty);
        Assert.Null(outcome.SysfsVisible);
    }

    [Fact]
    public void spec_with_its_own_infiniband_nodes_is_not_filtered()
    {
        var spec = NewSpec();
        spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/infiniband/uverbs0", Type = "c", Major = 231, Minor = 192 }];
        Assert.Null(RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root).SysfsVisible);
    }

    [Fact]
    public void a_grant_record_in_the_spec_itself_is_dropped()
    {
        var spec = NewSpec(new() { ["org.rdmarun.rdma.granted"] = "rxe0", ["org.rdmarun.rdma.granted-nodes"] = "/dev/infiniband/uverbs0" });
        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        Assert.Empty(outcome.Devices);
        Assert.Empty(RdmaSpecGrant.GrantedDevices(spec.Annotations));
        Assert.False(spec.Annotations!.ContainsKey("org.rdmarun.rdma.granted-nodes"));
    }

    [Fact]
    public void existing_spec_entry_for_a_granted_node_is_replaced_not_duplicated()
    {
        var spec = NewSpec(Devices("rxe0"));
        spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/infiniband/uverbs0", Type = "c", Major = 1, Minor = 1 }];
        RdmaSpecGrant.Apply(spec, MissingPolicy, _lab.Root);
        var node = Assert.Single(spec.Linux.Devices, d => d.Path == "/dev/infiniband/uverbs0");
        Assert.Equal((231L, 192L), (node.Major, node.Minor));
    }

    [Fact]
    public void hpc_host_grant_matches_names_exactly()
    {
        using var hpc = SysfsFixture.HpcHost();
        var spec = NewSpec(Devices("mlx5_1"));
        var outcome = RdmaSpecGrant.Apply(spec, MissingPolicy, hpc.Root);
        Assert.Equal(["/dev/infiniband/uverbs10", "/dev/infiniband/rdma_cm"], spec.Linux!.Devices!.Select(d => d.Path));
        Assert.Equal(["mlx5_1", "uverbs10"], outcome.SysfsVisible);
    }

    [Fact]
    public void pkeys_granted_are_recorded()
    {
        using var host = SysfsFixture.PartitionedHost();
        var spec = NewSpec(new() { ["org.rdmarun.rdma.devices"] = "mlx5_2", ["org.rdmarun.rdma.pkeys"] = "0x8001" });
        RdmaSpecGrant.Apply(spec, MissingPolicy, host.Root);
        Assert.Equal("mlx5_2:0x8001", spec.Annotations!["org.rdmarun.rdma.granted-pkeys"]);
    }

    [Fact]
    public void a_pkey_table_beyond_the_grant_fails_create_before_the_spec_changes()
    {
        using var host = SysfsFixture.PartitionedHost();
        var spec = NewSpec(new() { ["org.rdmarun.rdma.devices"] = "mlx5_1", ["org.rdmarun.rdma.pkeys"] = "0x8001" });
        var before = Json(spec);
        var e = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(spec, MissingPolicy, host.Root));
        Assert.StartsWith("rdma: device mlx5_1 port 1 exposes p_key 0x0002, which this container may not use", e.Message);
        Assert.Equal(before, Json(spec));
    }
}
