using Rdmarun.Cgroups.Systemd;
using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>The systemd driver without systemd: cgroupsPath parsing, slice expansion, unit properties (the bytes on the wire: SystemdBusWireTests).</summary>
public class SystemdDriverTests
{
    private static readonly CgroupSetup Unified = CgroupSetup.Parse(
        "24 18 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice/user-0.slice/session-3.scope\n");

    private static readonly CgroupSetup Hybrid = CgroupSetup.Parse("""
        31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """, "4:memory:/process_api/5a88\n1:cpu:/\n0::/\n");

    [Theory]
    [InlineData("system.slice:docker:abc", "system.slice", "docker-abc.scope")]
    [InlineData(":rdmarun:c1", "system.slice", "rdmarun-c1.scope")]
    [InlineData("machine.slice::c1", "machine.slice", "c1.scope")]
    [InlineData("system.slice:x:pod-a.slice", "system.slice", "pod-a.slice")]
    public void CgroupsPath_names_the_slice_and_unit(string cgroupsPath, string slice, string unit)
    {
        var p = SystemdCgroupPath.Parse(cgroupsPath, "c1", rootless: false);
        Assert.Equal(slice, p.Slice);
        Assert.Equal(unit, p.Unit);
    }

    [Fact]
    public void Empty_cgroupsPath_is_a_scope_named_for_the_container_in_system_slice()
    {
        var p = SystemdCgroupPath.Parse(null, "c9", rootless: false);
        Assert.Equal(("system.slice", "rdmarun-c9.scope"), (p.Slice, p.Unit));
        Assert.Equal("user.slice", SystemdCgroupPath.Parse("", "c9", rootless: true).Slice);
    }

    [Theory]
    [InlineData("/a/b")]
    [InlineData("system.slice:x")]
    [InlineData("notaslice:p:n")]
    public void Malformed_cgroupsPath_is_rejected_with_the_expected_form(string cgroupsPath)
    {
        var e = Assert.Throws<CgroupException>(() => SystemdCgroupPath.Parse(cgroupsPath, "c1", false));
        Assert.Contains(cgroupsPath, e.Message);
    }

    [Theory]
    [InlineData("system.slice", "system.slice")]
    [InlineData("a-b-c.slice", "a.slice/a-b.slice/a-b-c.slice")]
    [InlineData("-.slice", "")]
    public void Slices_expand_to_nested_directories(string slice, string dir) =>
        Assert.Equal(dir, SystemdCgroupPath.ExpandSlice(slice));

    [Theory]
    [InlineData("a--b.slice")]
    [InlineData("-a.slice")]
    public void Invalid_slice_names_are_rejected(string slice) =>
        Assert.Throws<CgroupException>(() => SystemdCgroupPath.ExpandSlice(slice));

    [Fact]
    public void The_manager_uses_the_units_cgroup_under_every_hierarchy()
    {
        var v2 = SystemdManager.Create("user-1.slice:rdmarun:c1", "c1", Unified, false, null);
        Assert.Equal("/sys/fs/cgroup/user.slice/user-1.slice/rdmarun-c1.scope", v2.Paths[""]);
        var v1 = SystemdManager.Create("system.slice:rdmarun:c1", "c1", Hybrid, false, null);
        Assert.Equal("/sys/fs/cgroup/memory/system.slice/rdmarun-c1.scope", v1.Paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/unified/system.slice/rdmarun-c1.scope", v1.Paths[""]);
        Assert.Equal("rdmarun-c1.scope", v1.Unit);
    }

    [Fact]
    public void Loading_saved_paths_recovers_the_unit_name()
    {
        var m = SystemdManager.Load(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/system.slice/rdmarun-c1.scope" });
        Assert.Equal("rdmarun-c1.scope", m.Unit);
    }

    [Fact]
    public void Exec_into_a_saved_container_joins_its_scope_without_asking_systemd()
    {
        using var fs = new FakeCgroupFs();
        var scope = fs.Dir("rdmarun.slice/rdmarun-x.slice/rdmarun-c1.scope", "cgroup.procs");
        var m = SystemdManager.Load(new Dictionary<string, string> { [""] = scope });
        // The bus is never asked (StartTransientUnit would answer UnitExists): the pid goes straight into the scope.
        var writes = Recording.Capture(fs.Root, () => m.Apply(4242));
        Assert.Equal(["rdmarun.slice/rdmarun-x.slice/rdmarun-c1.scope/cgroup.procs=4242"], writes);
    }

    private static Dictionary<string, UnitProperty> PropsOf(TransientUnitRequest r) => r.Properties.ToDictionary(p => p.Name);

    [Fact]
    public void The_scope_is_delegated_holds_the_init_and_sits_in_its_slice()
    {
        var r = TransientUnitRequest.For(new SystemdCgroupPath("machine.slice", "rdmarun-c1.scope"), 4242, null, unified: true, "c1");
        Assert.Equal("rdmarun-c1.scope", r.Name);
        Assert.Equal("replace", r.Mode);
        var p = PropsOf(r);
        Assert.Equal(new uint[] { 4242 }, (uint[])p["PIDs"].Value);
        Assert.Equal("au", p["PIDs"].Signature);
        Assert.Equal("machine.slice", p["Slice"].Value);
        Assert.Equal(true, p["Delegate"].Value);
        Assert.Equal(false, p["DefaultDependencies"].Value);
        Assert.Equal("rdmarun container c1", p["Description"].Value);
        Assert.True((bool)p["IOAccounting"].Value);
    }

    [Fact]
    public void A_slice_unit_gets_no_pids()
    {
        var r = TransientUnitRequest.For(new SystemdCgroupPath("system.slice", "pod-a.slice"), 4242, null, unified: true, "c1");
        Assert.DoesNotContain(r.Properties, p => p.Name == "PIDs");
    }

    [Fact]
    public void Limits_systemd_knows_become_properties_with_v2_or_v1_names()
    {
        var res = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64L << 20 },
            Pids = new LinuxPids { Limit = 100 },
            CPU = new LinuxCPU { Shares = 1024, Quota = 50_000, Period = 100_000 },
            Rdma = new() { ["rxe0"] = new LinuxRdma { HcaHandles = 1 } },
        };
        var v2 = PropsOf(TransientUnitRequest.For(new SystemdCgroupPath("system.slice", "s.scope"), 1, res, unified: true, "c"));
        Assert.Equal(64UL << 20, v2["MemoryMax"].Value);
        Assert.Equal(100UL, v2["TasksMax"].Value);
        Assert.Equal(39UL, v2["CPUWeight"].Value);
        Assert.Equal(500_000UL, v2["CPUQuotaPerSecUSec"].Value);
        Assert.Equal(100_000UL, v2["CPUQuotaPeriodUSec"].Value); // else systemd writes its own period to cpu.max
        // rdma has no systemd property: the fs manager writes rdma.max.
        Assert.DoesNotContain(v2.Keys, k => k.Contains("rdma", StringComparison.OrdinalIgnoreCase));

        var v1 = PropsOf(TransientUnitRequest.For(new SystemdCgroupPath("system.slice", "s.scope"), 1, res, unified: false, "c"));
        Assert.Equal(64UL << 20, v1["MemoryLimit"].Value);
        Assert.Equal(1024UL, v1["CPUShares"].Value);
        Assert.True(v1.ContainsKey("BlockIOAccounting"));
    }

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(262144UL, 10000UL)]
    public void Shares_convert_to_weight_as_runc(ulong shares, ulong weight) =>
        Assert.Equal(weight, TransientUnitRequest.SharesToWeight(shares));

    [Fact]
    public void No_system_bus_is_a_cgroup_error_naming_the_address()
    {
        var e = Assert.Throws<CgroupException>(() => SystemdBus.StopUnit("x.scope", "unix:path=/nonexistent/bus"));
        Assert.Contains("stop unit x.scope: cannot talk to the system bus at unix:path=/nonexistent/bus", e.Message);
    }
}
