namespace Rdmarun.Rdma.Tests;

/// <summary>The HPC host fixture, discovered once for all planner tests (the planner never writes).</summary>
public sealed class HpcHostInventory : IDisposable
{
    readonly SysfsFixture _host = SysfsFixture.HpcHost();
    public RdmaInventory Inventory { get; }
    public HpcHostInventory() => Inventory = new SysfsRdmaDiscovery(_host.Root).Discover();
    public void Dispose() => _host.Dispose();
}

public class PlannerTests(HpcHostInventory host) : IClassFixture<HpcHostInventory>
{
    readonly RdmaInventory _inventory = host.Inventory;

    const string PolicyPath = "/etc/rdmarun/rdma.json";
    static RdmaPolicy Policy(string json) => RdmaPolicy.Parse(json, PolicyPath);
    static readonly RdmaPolicy Open = RdmaPolicy.Default();

    static RdmaRequest Annotated(params (string K, string V)[] kv)
        => RdmaRequestParser.Parse(null, kv.ToDictionary(x => x.K, x => x.V), null);

    static RdmaRequest Devices(string list, params (string K, string V)[] more)
        => Annotated([("org.rdmarun.rdma.devices", list), .. more]);

    [Fact]
    public void one_listed_device_gets_its_uverbs_node_rdma_cm_rules_and_memlock()
    {
        var g = RdmaPlanner.Plan(Devices("mlx5_1"), Open, _inventory);
        Assert.True(g.Requested);
        Assert.Equal(["mlx5_1"], g.Devices.Select(d => d.Name));
        Assert.Equal(
            [new RdmaDeviceNode("/dev/infiniband/uverbs10", 'c', 231, 202, 0x1B6), new RdmaDeviceNode("/dev/infiniband/rdma_cm", 'c', 10, 57, 0x1B6)],
            g.DeviceNodes);
        Assert.Equal(["c 231:202 rwm", "c 10:57 rwm"], g.DeviceRules.Select(r => r.ToString()));
        Assert.Empty(g.RdmaMax);
        Assert.Equal(Memlock.Unlimited, g.Memlock);
        Assert.Empty(g.Warnings);
    }

    [Fact]
    public void hidden_paths_cover_every_other_device_and_the_granted_devices_mad_nodes()
    {
        var g = RdmaPlanner.Plan(Devices("mlx5_1"), Open, _inventory);
        Assert.Contains("/sys/class/infiniband/mlx5_10", g.HiddenPaths);
        Assert.Contains("/sys/class/infiniband_verbs/uverbs1", g.HiddenPaths);
        Assert.Contains("/dev/infiniband/uverbs1", g.HiddenPaths);
        Assert.Contains("/sys/class/infiniband_mad/umad10", g.HiddenPaths);
        Assert.Contains("/dev/infiniband/issm10", g.HiddenPaths);
        Assert.DoesNotContain("/sys/class/infiniband/mlx5_1", g.HiddenPaths);
        Assert.DoesNotContain("/sys/class/infiniband_verbs/uverbs10", g.HiddenPaths);
        Assert.DoesNotContain("/dev/infiniband/uverbs10", g.HiddenPaths);
        Assert.DoesNotContain("/dev/infiniband/rdma_cm", g.HiddenPaths);
        Assert.Equal(12, g.HiddenPaths.Count(p => p.StartsWith("/sys/class/infiniband/")));
    }

    [Fact]
    public void spec_limits_select_devices_and_become_rdma_max_lines()
    {
        var request = RdmaRequestParser.Parse(new Dictionary<string, RdmaLimit> { ["mlx5_10"] = new(3, 10000), ["mlx5_1"] = new(null, 50) }, null, null);
        var g = RdmaPlanner.Plan(request, Open, _inventory);
        Assert.Equal(["mlx5_1", "mlx5_10"], g.Devices.Select(d => d.Name));
        Assert.Equal(["mlx5_1 hca_handle=max hca_object=50", "mlx5_10 hca_handle=3 hca_object=10000"], g.RdmaMax.Select(m => m.Line));
        Assert.Equal(["/dev/infiniband/uverbs10", "/dev/infiniband/uverbs1", "/dev/infiniband/rdma_cm"], g.DeviceNodes.Select(n => n.Path));
    }

    [Fact]
    public void env_visible_devices_with_spec_limits_for_another_present_device()
    {
        var request = RdmaRequestParser.Parse(new Dictionary<string, RdmaLimit> { ["mlx5_2"] = new(1, 1) }, null, ["RDMA_VISIBLE_DEVICES=mlx5_10"]);
        var g = RdmaPlanner.Plan(request, Open, _inventory);
        Assert.Equal(["mlx5_10"], g.Devices.Select(d => d.Name));
        Assert.Equal(["mlx5_2 hca_handle=1 hca_object=1"], g.RdmaMax.Select(m => m.Line));
    }

    [Fact]
    public void all_means_every_present_device_the_policy_allows()
    {
        var policy = Policy("""{ "devices": { "mlx5_0": {}, "mlx5_11": {}, "mlx5_99": {} } }""");
        var g = RdmaPlanner.Plan(Devices("all"), policy, _inventory);
        Assert.Equal(["mlx5_0", "mlx5_11"], g.Devices.Select(d => d.Name));
        Assert.Equal(["c 231:192 rwm", "c 231:203 rwm", "c 10:57 rwm"], g.DeviceRules.Select(r => r.ToString()));
    }

    [Fact]
    public void none_grants_nothing_and_hides_everything()
    {
        var g = RdmaPlanner.Plan(Devices("none"), Open, _inventory);
        Assert.True(g.Requested);
        Assert.Empty(g.Devices);
        Assert.Empty(g.DeviceNodes);
        Assert.Empty(g.DeviceRules);
        Assert.Null(g.Memlock);
        Assert.Contains("/dev/infiniband/rdma_cm", g.HiddenPaths);
        Assert.Equal(13, g.HiddenPaths.Count(p => p.StartsWith("/sys/class/infiniband/")));
    }

    [Fact]
    public void an_empty_request_is_not_requested_but_still_lists_what_to_hide()
    {
        var g = RdmaPlanner.Plan(RdmaRequest.Empty, Open, _inventory);
        Assert.False(g.Requested);
        Assert.Empty(g.DeviceNodes);
        Assert.Null(g.Memlock);
        Assert.Contains("/sys/class/infiniband/mlx5_0", g.HiddenPaths);
    }

    [Fact]
    public void mad_access_adds_umad_only_when_asked_and_allowed()
    {
        var policy = Policy("""{ "devices": { "mlx5_0": { "mad": true } } }""");
        var g = RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.mad", "true")), policy, _inventory);
        Assert.Equal(["/dev/infiniband/uverbs0", "/dev/infiniband/umad0", "/dev/infiniband/rdma_cm"], g.DeviceNodes.Select(n => n.Path));
        Assert.Equal("c 231:0 rwm", g.DeviceRules[1].ToString());
        Assert.Contains("/dev/infiniband/issm0", g.HiddenPaths);
        Assert.DoesNotContain("/dev/infiniband/umad0", g.HiddenPaths);
    }

    [Fact]
    public void sm_access_adds_issm()
    {
        var policy = Policy("""{ "mad": true, "sm": true }""");
        var g = RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.mad", "sm")), policy, _inventory);
        Assert.Equal(["/dev/infiniband/uverbs0", "/dev/infiniband/umad0", "/dev/infiniband/issm0", "/dev/infiniband/rdma_cm"], g.DeviceNodes.Select(n => n.Path));
        Assert.Equal("c 231:64 rwm", g.DeviceRules[2].ToString());
    }

    [Fact]
    public void limits_come_from_spec_then_annotation_then_policy_default_and_are_capped_by_the_maximum()
    {
        var policy = Policy("""{ "defaultHcaHandles": 4, "defaultHcaObjects": 1000, "maxHcaObjects": 5000 }""");
        var request = RdmaRequestParser.Parse(
            new Dictionary<string, RdmaLimit> { ["mlx5_1"] = new(2, null) },
            new Dictionary<string, string> { ["org.rdmarun.rdma.devices"] = "mlx5_1,mlx5_2,mlx5_3", ["org.rdmarun.rdma.hca-objects"] = "max" },
            null);
        var g = RdmaPlanner.Plan(request with { HcaHandles = null }, policy, _inventory);
        Assert.Equal(
            ["mlx5_1 hca_handle=2 hca_object=1000", "mlx5_2 hca_handle=4 hca_object=1000", "mlx5_3 hca_handle=4 hca_object=1000"],
            g.RdmaMax.Select(m => m.Line));

        var capped = RdmaPlanner.Plan(Devices("mlx5_2"), Policy("""{ "maxHcaHandles": 8 }"""), _inventory);
        Assert.Equal(["mlx5_2 hca_handle=8 hca_object=max"], capped.RdmaMax.Select(m => m.Line));

        var annotated = RdmaPlanner.Plan(Devices("mlx5_2", ("org.rdmarun.rdma.hca-handles", "1"), ("org.rdmarun.rdma.hca-objects", "7")), Open, _inventory);
        Assert.Equal(["mlx5_2 hca_handle=1 hca_object=7"], annotated.RdmaMax.Select(m => m.Line));
    }

    [Fact]
    public void memlock_from_annotation_or_policy()
    {
        Assert.Equal(64UL << 30, RdmaPlanner.Plan(Devices("mlx5_0"), Policy("""{ "memlock": "64g" }"""), _inventory).Memlock);
        Assert.Equal(1UL << 20, RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.memlock", "1m")), Open, _inventory).Memlock);
    }

    [Fact]
    public void requested_pkeys_are_granted_per_device_and_policy_lists_are_the_default()
    {
        using var host = SysfsFixture.PartitionedHost();
        var inventory = new SysfsRdmaDiscovery(host.Root).Discover();
        var policy = Policy("""{ "devices": { "mlx5_1": { "pkeys": ["0x8001", "0x0002"] }, "mlx5_2": { "pkeys": ["0x8001"] } } }""");
        var g = RdmaPlanner.Plan(Devices("mlx5_1,mlx5_2", ("org.rdmarun.rdma.pkeys", "mlx5_1:0x8001,mlx5_1:0x0002")), policy, inventory);
        Assert.Equal([0x8001, 0x0002], g.Devices[0].Pkeys!.Select(k => (int)k));
        Assert.Equal([0x8001], g.Devices[1].Pkeys!.Select(k => (int)k));

        var open = RdmaPlanner.Plan(Devices("mlx5_0"), Open, _inventory);
        Assert.Null(open.Devices[0].Pkeys);
    }

    [Fact]
    public void a_pkey_absent_from_the_port_table_is_a_warning()
    {
        using var host = SysfsFixture.PartitionedHost();
        var g = RdmaPlanner.Plan(Devices("mlx5_2", ("org.rdmarun.rdma.pkeys", "0x8001,0x8005")), Open, new SysfsRdmaDiscovery(host.Root).Discover());
        Assert.Equal(["rdma: p_key 0x8005 is not in the p_key table of any port of mlx5_2"], g.Warnings);
    }

    [Fact]
    public void a_port_table_holding_a_key_beyond_the_request_is_refused()
    {
        // The PF's table has the default partition and 0x0002: asking for 0x8001 alone cannot be enforced.
        using var host = SysfsFixture.PartitionedHost();
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.pkeys", "0x8001")), Open, new SysfsRdmaDiscovery(host.Root).Discover()));
        Assert.Equal(RdmaRefusalReason.PkeyTableNotRestricted, e.Reason);
        Assert.Equal("rdma: device mlx5_0 port 1 exposes p_keys 0xffff, 0x0002, which this container may not use (allowed from annotation org.rdmarun.rdma.pkeys: 0x8001), and rdmarun cannot restrict the p_key table of driver mlx5_core; grant a VF whose table the subnet manager limits to allowed keys", e.Message);
    }

    [Fact]
    public void a_port_table_holding_a_key_beyond_the_policy_list_is_refused_naming_the_policy()
    {
        using var host = SysfsFixture.PartitionedHost();
        var policy = Policy("""{ "devices": { "mlx5_1": { "pkeys": ["0x8001"] } } }""");
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_1"), policy, new SysfsRdmaDiscovery(host.Root).Discover()));
        Assert.Equal("rdma: device mlx5_1 port 1 exposes p_key 0x0002, which this container may not use (allowed from policy /etc/rdmarun/rdma.json: 0x8001), and rdmarun cannot restrict the p_key table of driver mlx5_core; grant a VF whose table the subnet manager limits to allowed keys", e.Message);
    }

    [Fact]
    public void a_limited_member_allowance_does_not_cover_a_full_member_table_entry()
    {
        // 0x0001 (limited) allowed, the table holds 0x8001 (full): the container would get full membership.
        using var host = SysfsFixture.PartitionedHost();
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_2", ("org.rdmarun.rdma.pkeys", "0x0001")), Open, new SysfsRdmaDiscovery(host.Root).Discover()));
        Assert.StartsWith("rdma: device mlx5_2 port 1 exposes p_key 0x8001, which this container may not use", e.Message);
    }

    [Fact]
    public void roce_ports_have_no_partitions_to_check()
    {
        var g = RdmaPlanner.Plan(Devices("mlx5_11", ("org.rdmarun.rdma.pkeys", "0x8001")), Open, _inventory);
        Assert.Equal([0x8001], g.Devices[0].Pkeys!.Select(k => (int)k));
    }

    [Fact]
    public void rxe_lab_grant_uses_the_discovered_rdma_cm_minor_and_hides_mad_nodes()
    {
        using var lab = SysfsFixture.RxeLab();
        var g = RdmaPlanner.Plan(Devices("rxe0"), Open, new SysfsRdmaDiscovery(lab.Root).Discover());
        Assert.Equal(["c 231:192 rwm", "c 10:124 rwm"], g.DeviceRules.Select(r => r.ToString()));
        Assert.Equal(
            ["/sys/class/infiniband_mad/umad0", "/dev/infiniband/umad0", "/sys/class/infiniband_mad/issm0", "/dev/infiniband/issm0"],
            g.HiddenPaths);
        Assert.Empty(g.Warnings);
    }

    [Fact]
    public void rxe_lab_grant_warns_that_rdma_cm_is_missing()
    {
        using var lab = SysfsFixture.RxeLab(minimal: true);
        var inv = new SysfsRdmaDiscovery(lab.Root).Discover();
        var g = RdmaPlanner.Plan(Devices("rxe0"), Open, inv);
        Assert.Equal([new RdmaDeviceNode("/dev/infiniband/uverbs0", 'c', 231, 192, 0x1B6)], g.DeviceNodes);
        Assert.Equal(["rdma: /dev/infiniband/rdma_cm is not available (is rdma_ucm loaded?)"], g.Warnings);
        Assert.Empty(g.HiddenPaths);
    }

    // Refusals: every message names the device or key, where it was asked, and the policy file.

    [Fact]
    public void refuses_a_device_that_is_not_present()
    {
        using var lab = SysfsFixture.RxeLab();
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_1"), Open, new SysfsRdmaDiscovery(lab.Root).Discover()));
        Assert.Equal(RdmaRefusalReason.DeviceNotPresent, e.Reason);
        Assert.Equal("rdma: device mlx5_1 (from annotation org.rdmarun.rdma.devices) is not present on this host (present: rxe0)", e.Message);
    }

    [Fact]
    public void refuses_a_spec_limit_for_an_absent_device()
    {
        using var lab = SysfsFixture.RxeLab();
        var request = RdmaRequestParser.Parse(new Dictionary<string, RdmaLimit> { ["mlx5_9"] = new(1, 1) }, null, ["RDMA_VISIBLE_DEVICES=rxe0"]);
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(request, Open, new SysfsRdmaDiscovery(lab.Root).Discover()));
        Assert.Equal("rdma: device mlx5_9 (from linux.resources.rdma) is not present on this host (present: rxe0)", e.Message);
    }

    [Fact]
    public void refuses_a_device_not_in_policy_even_when_a_longer_name_is()
    {
        var policy = Policy("""{ "devices": { "mlx5_10": {}, "mlx5_11": {} } }""");
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_1"), policy, _inventory));
        Assert.Equal(RdmaRefusalReason.DeviceNotInPolicy, e.Reason);
        Assert.Equal("rdma: device mlx5_1 (from annotation org.rdmarun.rdma.devices) is not allowed by policy /etc/rdmarun/rdma.json (allowed: mlx5_10, mlx5_11)", e.Message);
    }

    [Fact]
    public void refuses_all_when_no_device_is_present_and_allowed()
    {
        var policy = Policy("""{ "devices": { "mlx5_99": {} } }""");
        var request = RdmaRequestParser.Parse(null, null, ["RDMA_VISIBLE_DEVICES=all"]);
        using var lab = SysfsFixture.RxeLab();
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(request, policy, new SysfsRdmaDiscovery(lab.Root).Discover()));
        Assert.Equal(RdmaRefusalReason.NoDeviceAvailable, e.Reason);
        Assert.Equal("rdma: env RDMA_VISIBLE_DEVICES asks for all devices, but none is both present (rxe0) and allowed by policy /etc/rdmarun/rdma.json (mlx5_99)", e.Message);
    }

    [Fact]
    public void refuses_hca_handles_over_the_device_maximum()
    {
        var policy = Policy("""{ "maxHcaHandles": 64, "devices": { "mlx5_0": { "maxHcaHandles": 8 } } }""");
        var request = RdmaRequestParser.Parse(new Dictionary<string, RdmaLimit> { ["mlx5_0"] = new(9, 10) }, null, null);
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(request, policy, _inventory));
        Assert.Equal(RdmaRefusalReason.LimitOverPolicy, e.Reason);
        Assert.Equal("rdma: hcaHandles 9 for device mlx5_0 exceeds the maximum 8 allowed by policy /etc/rdmarun/rdma.json", e.Message);
    }

    [Fact]
    public void refuses_hca_objects_over_the_global_maximum()
    {
        var policy = Policy("""{ "maxHcaObjects": 1000 }""");
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_10", ("org.rdmarun.rdma.hca-objects", "1001")), policy, _inventory));
        Assert.Equal("rdma: hcaObjects 1001 for device mlx5_10 exceeds the maximum 1000 allowed by policy /etc/rdmarun/rdma.json", e.Message);
    }

    [Fact]
    public void refuses_memlock_over_the_policy_maximum()
    {
        var policy = Policy("""{ "memlock": "1g", "maxMemlock": "8g" }""");
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.memlock", "unlimited")), policy, _inventory));
        Assert.Equal(RdmaRefusalReason.LimitOverPolicy, e.Reason);
        Assert.Equal("rdma: memlock unlimited exceeds the maximum 8589934592 allowed by policy /etc/rdmarun/rdma.json", e.Message);
    }

    [Fact]
    public void refuses_a_pkey_the_policy_does_not_allow()
    {
        var policy = Policy("""{ "devices": { "mlx5_0": { "pkeys": ["0x0001", "0x8002"] } } }""");
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.pkeys", "0x8001")), policy, _inventory));
        Assert.Equal(RdmaRefusalReason.PkeyNotAllowed, e.Reason);
        Assert.Equal("rdma: p_key 0x8001 (from annotation org.rdmarun.rdma.pkeys) on device mlx5_0 is not allowed by policy /etc/rdmarun/rdma.json (allowed: 0x0001, 0x8002)", e.Message);
    }

    [Fact]
    public void refuses_any_pkey_when_the_policy_list_is_empty()
    {
        var policy = Policy("""{ "devices": { "*": { "pkeys": [] } } }""");
        var request = RdmaRequestParser.Parse(null, null, ["RDMA_VISIBLE_DEVICES=mlx5_3", "RDMA_PKEYS=0x7fff"]);
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(request, policy, _inventory));
        Assert.Equal("rdma: p_key 0x7fff (from env RDMA_PKEYS) on device mlx5_3 is not allowed by policy /etc/rdmarun/rdma.json (allowed: none)", e.Message);
    }

    [Fact]
    public void refuses_a_pkey_for_a_device_that_is_not_granted()
    {
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.pkeys", "mlx5_1:0x8001")), Open, _inventory));
        Assert.Equal(RdmaRefusalReason.PkeyDeviceNotGranted, e.Reason);
        Assert.Equal("rdma: p_key mlx5_1:0x8001 (from annotation org.rdmarun.rdma.pkeys) names device mlx5_1, which this container is not granted", e.Message);
    }

    [Fact]
    public void refuses_mad_access_by_default()
    {
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.mad", "true")), Open, _inventory));
        Assert.Equal(RdmaRefusalReason.MadNotAllowed, e.Reason);
        Assert.Equal("rdma: management datagram access (umad) to device mlx5_0 is not allowed by policy /etc/rdmarun/rdma.json (absent: built-in defaults)", e.Message);
    }

    [Fact]
    public void refuses_sm_access_when_only_mad_is_allowed()
    {
        var policy = Policy("""{ "mad": true }""");
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Devices("mlx5_0", ("org.rdmarun.rdma.mad", "sm")), policy, _inventory));
        Assert.Equal("rdma: subnet manager access (issm) to device mlx5_0 is not allowed by policy /etc/rdmarun/rdma.json", e.Message);
    }
}
