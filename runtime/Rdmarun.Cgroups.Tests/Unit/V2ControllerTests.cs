using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>linux.resources → cgroup v2 files on a fake unified tree.</summary>
public sealed class V2ControllerTests : IDisposable
{
    private readonly FakeCgroupFs _fs = new();
    private readonly string _dir;

    public V2ControllerTests()
    {
        _dir = _fs.Dir("rdmarun/c1", "cgroup.procs", "cgroup.freeze", "cgroup.events", "cgroup.kill", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle",
            "cpuset.cpus", "cpuset.mems", "memory.max", "memory.low", "memory.swap.max", "memory.current", "memory.events", "memory.peak",
            "pids.max", "pids.current", "io.weight", "io.max", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "rdma.max", "rdma.current", "misc.max", "cpu.stat");
    }

    public void Dispose() => _fs.Dispose();

    private FsV2Manager Manager() => new(_dir, null, rootless: false);

    private List<string> Set(LinuxResources r) => Recording.Capture(_dir, () => Manager().Set(r));

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1UL, 1UL)]
    [InlineData(0UL, 0UL)]
    public void Shares_convert_to_weight_like_runc(ulong shares, ulong weight) =>
        Assert.Equal(weight, Controllers.CpuController.SharesToWeight(shares));

    [Fact]
    public void Cpu_weight_max_burst_idle()
    {
        Assert.Equal(["cpu.weight=39", "cpu.max=50000 100000", "cpu.max.burst=1000", "cpu.idle=1"],
            Set(new LinuxResources { CPU = new LinuxCPU { Shares = 1024, Quota = 50000, Period = 100000, Burst = 1000, Idle = 1 } }));
    }

    [Theory]
    [InlineData(-1L, 100000UL, "max 100000")]
    [InlineData(20000L, 0UL, "20000")]
    [InlineData(0L, 50000UL, "max 50000")]
    public void Cpu_max_formats(long quota, ulong period, string expected) =>
        Assert.Equal(expected, Controllers.CpuController.CpuMax(quota, period));

    [Fact]
    public void Realtime_is_rejected_on_v2()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { CPU = new LinuxCPU { RealtimeRuntime = 1000 } }));
        Assert.Equal("cgroup: linux.resources.cpu.realtimeRuntime/realtimePeriod are not supported on cgroup v2", e.Message);
    }

    [Fact]
    public void Cpuset()
    {
        Assert.Equal(["cpuset.cpus=1", "cpuset.mems=0"], Set(new LinuxResources { CPU = new LinuxCPU { Cpus = "1", Mems = "0" } }));
    }

    [Fact]
    public void Memory_swap_is_converted_to_swap_only()
    {
        Assert.Equal(["memory.swap.max=67108864", "memory.max=67108864", "memory.low=16777216"],
            Set(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20, Reservation = 16 << 20, Swappiness = 30 } }));
    }

    [Fact]
    public void Swap_equal_to_limit_disables_swap_and_minus_one_means_max()
    {
        Assert.Equal(["memory.swap.max=0", "memory.max=33554432"], Set(new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20, Swap = 32 << 20 } }));
        Assert.Equal(["memory.swap.max=max", "memory.max=33554432"], Set(new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20, Swap = -1 } }));
        Assert.Equal(["memory.swap.max=max", "memory.max=max"], Set(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } }));
    }

    [Fact]
    public void Swap_below_limit_or_without_limit_is_rejected()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 32 << 20 } }));
        Assert.Equal("cgroup: linux.resources.memory.swap (33554432) must be >= memory.limit (67108864): it counts memory plus swap", e.Message);
        var e2 = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Memory = new LinuxMemory { Swap = 32 << 20 } }));
        Assert.Equal("cgroup: linux.resources.memory.swap needs a memory limit on cgroup v2", e2.Message);
    }

    [Fact]
    public void Pids_max()
    {
        Assert.Equal(["pids.max=20"], Set(new LinuxResources { Pids = new LinuxPids { Limit = 20 } }));
    }

    [Fact]
    public void Io_weight_and_io_max_lines()
    {
        var w = Set(new LinuxResources
        {
            BlockIO = new LinuxBlockIO
            {
                Weight = 500,
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1048576 }],
                ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 0 }],
                ThrottleReadIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 10 }],
                ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 20 }],
            },
        });
        Assert.Equal(["io.weight=default 4950", "io.max=8:0 rbps=1048576", "io.max=8:0 wbps=max", "io.max=8:0 riops=10", "io.max=8:16 wiops=20"], w);
    }

    [Fact]
    public void Io_bfq_weight_keeps_the_blkio_range_when_bfq_is_present()
    {
        File.WriteAllText(Path.Combine(_dir, "io.bfq.weight"), "");
        var w = Set(new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 500, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 100 }] } });
        Assert.Equal(["io.bfq.weight=500", "io.bfq.weight=8:0 100"], w);
    }

    [Fact]
    public void Hugetlb_max_and_rsvd_max()
    {
        Assert.Equal(["hugetlb.2MB.max=2097152", "hugetlb.2MB.rsvd.max=2097152"],
            Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 2097152 }] }));
    }

    [Fact]
    public void Rdma_max()
    {
        Assert.Equal(["rdma.max=rxe0 hca_handle=1 hca_object=3"],
            Set(new LinuxResources { Rdma = new() { ["rxe0"] = new LinuxRdma { HcaHandles = 1, HcaObjects = 3 } } }));
    }

    [Fact]
    public void Rdma_without_rdma_max_fails_with_the_documented_message()
    {
        File.Delete(Path.Combine(_dir, "rdma.max"));
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Rdma = new() { ["rxe0"] = new LinuxRdma { HcaHandles = 1 } } }));
        Assert.Equal("cgroup: rdma controller not available on this host, cannot apply linux.resources.rdma", e.Message);
    }

    [Fact]
    public void Network_is_rejected_on_v2()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Network = new LinuxNetwork { ClassID = 1 } }));
        Assert.Equal("cgroup: linux.resources.network (net_cls/net_prio) is not supported on cgroup v2", e.Message);
    }

    [Fact]
    public void Unified_values_are_written_after_typed_fields()
    {
        Assert.Equal(["pids.max=10", "misc.max=res_a 1", "pids.max=5"],
            Set(new LinuxResources { Pids = new LinuxPids { Limit = 10 }, Unified = new() { ["pids.max"] = "5", ["misc.max"] = "res_a 1" } }));
    }

    [Theory]
    [InlineData("foo.bar", "no such file in {dir}")]
    [InlineData("../pids.max", "invalid file name")]
    [InlineData("sub/pids.max", "invalid file name")]
    public void Unified_key_is_validated(string key, string why)
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Unified = new() { [key] = "1" } }));
        Assert.Equal($"cgroup: unified resource \"{key}\": {why.Replace("{dir}", _dir)}", e.Message);
    }

    [Fact]
    public void Missing_controller_file_suggests_enabling_the_controller()
    {
        File.Delete(Path.Combine(_dir, "pids.max"));
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Pids = new LinuxPids { Limit = 3 } }));
        Assert.Equal($"cgroup: open {_dir}/pids.max: no such file or directory (is the pids controller enabled in {Path.GetDirectoryName(_dir)}/cgroup.subtree_control?)", e.Message);
    }

    [Fact]
    public void Stats_from_v2_files()
    {
        FakeCgroupFs.Put(_dir, "memory.current", "2097152\n");
        FakeCgroupFs.Put(_dir, "memory.max", "max\n");
        FakeCgroupFs.Put(_dir, "memory.peak", "4194304\n");
        FakeCgroupFs.Put(_dir, "memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
        FakeCgroupFs.Put(_dir, "pids.current", "4\n");
        FakeCgroupFs.Put(_dir, "pids.max", "64\n");
        FakeCgroupFs.Put(_dir, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\nnr_throttled 2\nthrottled_usec 30\n");
        FakeCgroupFs.Put(_dir, "rdma.current", "rxe0 hca_handle=1 hca_object=3\n");
        FakeCgroupFs.Put(_dir, "rdma.max", "rxe0 hca_handle=1 hca_object=3\n");
        var s = Manager().GetStats();
        Assert.Equal(2097152UL, s.Memory.Usage);
        Assert.Null(s.Memory.Limit);
        Assert.Equal(12UL, s.Memory.Failcnt);
        Assert.Equal(4194304UL, s.Memory.MaxUsage);
        Assert.Equal(1UL, s.OomKillCount);
        Assert.True(Manager().OomKilled());
        Assert.Equal((4UL, (ulong?)64UL), (s.Pids.Current, s.Pids.Limit));
        Assert.Equal((1_500_000UL, 1_000_000UL, 500_000UL, 2UL, 30_000UL),
            (s.Cpu.UsageNanoseconds, s.Cpu.UserNanoseconds, s.Cpu.SystemNanoseconds, s.Cpu.ThrottledPeriods, s.Cpu.ThrottledNanoseconds));
        Assert.Equal((1UL, 3UL, (ulong?)1UL, (ulong?)3UL),
            (s.Rdma["rxe0"].HcaHandlesCurrent, s.Rdma["rxe0"].HcaObjectsCurrent, s.Rdma["rxe0"].HcaHandlesMax, s.Rdma["rxe0"].HcaObjectsMax));
    }

    [Fact]
    public void Freezer_state_is_read_from_cgroup_events()
    {
        FakeCgroupFs.Put(_dir, "cgroup.events", "populated 1\nfrozen 1\n");
        FakeCgroupFs.Put(_dir, "cgroup.freeze", "1\n");
        Assert.Equal(FreezerState.Frozen, Manager().GetFreezerState());
        FakeCgroupFs.Put(_dir, "cgroup.events", "populated 1\nfrozen 0\n");
        Assert.Equal(FreezerState.Undefined, Manager().GetFreezerState()); // requested, not finished
        FakeCgroupFs.Put(_dir, "cgroup.freeze", "0\n");
        Assert.Equal(FreezerState.Thawed, Manager().GetFreezerState());
    }

    [Fact]
    public void Kill_with_sigkill_uses_cgroup_kill()
    {
        Assert.Equal(["cgroup.kill=1"], Recording.Capture(_dir, () => Manager().Kill(9)));
    }

    [Fact]
    public void Apply_enables_offered_controllers_down_the_path()
    {
        var root = _fs.Dir("v2root", "cgroup.controllers", "cgroup.subtree_control");
        FakeCgroupFs.Put(root, "cgroup.controllers", "cpu memory pids rdma\n");
        FakeCgroupFs.Put(root, "cgroup.subtree_control", "memory\n");
        var mid = _fs.Dir("v2root/rdmarun", "cgroup.controllers", "cgroup.subtree_control");
        FakeCgroupFs.Put(mid, "cgroup.controllers", "cpu memory pids rdma\n");
        var leaf = _fs.Dir("v2root/rdmarun/c1", "cgroup.procs");
        var w = Recording.Capture(root, () => new FsV2Manager(leaf, root, rootless: false).Apply(77));
        Assert.Equal([
            "cgroup.subtree_control=+cpu", "cgroup.subtree_control=+pids", "cgroup.subtree_control=+rdma",
            "rdmarun/cgroup.subtree_control=+cpu", "rdmarun/cgroup.subtree_control=+memory", "rdmarun/cgroup.subtree_control=+pids", "rdmarun/cgroup.subtree_control=+rdma",
            "rdmarun/c1/cgroup.procs=77"], w);
    }
}
