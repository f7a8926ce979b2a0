using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>linux.resources → v1 files, on a fake tree with the files the kernel would show.</summary>
public sealed class V1ControllerTests : IDisposable
{
    private readonly FakeCgroupFs _fs = new();
    private readonly Dictionary<string, string> _paths = new();

    private static readonly Dictionary<string, string[]> Files = new()
    {
        ["cpu"] = ["cgroup.procs", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.idle", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.stat"],
        ["cpuacct"] = ["cgroup.procs", "cpuacct.usage", "cpuacct.stat"],
        ["cpuset"] = ["cgroup.procs", "cpuset.cpus", "cpuset.mems"],
        ["memory"] = ["cgroup.procs", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.swappiness", "memory.oom_control", "memory.usage_in_bytes", "memory.failcnt", "memory.max_usage_in_bytes"],
        ["pids"] = ["cgroup.procs", "pids.max", "pids.current"],
        ["blkio"] = ["cgroup.procs", "blkio.weight", "blkio.weight_device", "blkio.leaf_weight", "blkio.leaf_weight_device", "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"],
        ["hugetlb"] = ["cgroup.procs", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.1GB.limit_in_bytes"],
        ["rdma"] = ["cgroup.procs", "rdma.max", "rdma.current"],
        ["net_cls"] = ["cgroup.procs", "net_cls.classid"],
        ["net_prio"] = ["cgroup.procs", "net_prio.ifpriomap"],
        ["devices"] = ["cgroup.procs", "devices.allow", "devices.deny"],
        ["freezer"] = ["cgroup.procs", "freezer.state"],
    };

    public V1ControllerTests()
    {
        foreach (var (c, files) in Files) _paths[c] = _fs.Dir($"{c}/rdmarun/c1", files);
    }

    public void Dispose() => _fs.Dispose();

    private FsV1Manager Manager(params string[] without) =>
        new(_paths.Where(kv => !without.Contains(kv.Key)).ToDictionary(), new Dictionary<string, string>(), rootless: false);

    private List<string> Set(LinuxResources r, params string[] without) => Recording.Capture(_fs.Root, () => Manager(without).Set(r));

    [Fact]
    public void Cpu_shares_quota_period_burst_idle_and_realtime()
    {
        var w = Set(new LinuxResources { CPU = new LinuxCPU { Shares = 512, Quota = 50000, Period = 100000, Burst = 1000, Idle = 0, RealtimePeriod = 1000000, RealtimeRuntime = 950000 } });
        Assert.Equal([
            "cpu/rdmarun/c1/cpu.shares=512", "cpu/rdmarun/c1/cpu.cfs_period_us=100000", "cpu/rdmarun/c1/cpu.cfs_quota_us=50000",
            "cpu/rdmarun/c1/cpu.cfs_burst_us=1000", "cpu/rdmarun/c1/cpu.idle=0",
            "cpu/rdmarun/c1/cpu.rt_period_us=1000000", "cpu/rdmarun/c1/cpu.rt_runtime_us=950000"], w);
    }

    [Fact]
    public void Unlimited_quota_is_written_as_minus_one()
    {
        Assert.Equal(["cpu/rdmarun/c1/cpu.cfs_quota_us=-1"], Set(new LinuxResources { CPU = new LinuxCPU { Quota = -1 } }));
    }

    [Fact]
    public void Cpuset_cpus_and_mems()
    {
        Assert.Equal(["cpuset/rdmarun/c1/cpuset.cpus=0-1", "cpuset/rdmarun/c1/cpuset.mems=0"],
            Set(new LinuxResources { CPU = new LinuxCPU { Cpus = "0-1", Mems = "0" } }));
    }

    [Fact]
    public void New_cpuset_inherits_cpus_and_mems_from_its_parents()
    {
        var mount = _fs.Dir("cs", "cpuset.cpus", "cpuset.mems");
        FakeCgroupFs.Put(mount, "cpuset.cpus", "0-3\n");
        FakeCgroupFs.Put(mount, "cpuset.mems", "0\n");
        var mid = _fs.Dir("cs/a", "cpuset.cpus", "cpuset.mems");
        var leaf = _fs.Dir("cs/a/b", "cpuset.cpus", "cpuset.mems");
        Controllers.CpusetController.InheritV1(mount, leaf);
        Assert.Equal("0-3", FakeCgroupFs.Get(mid, "cpuset.cpus"));
        Assert.Equal("0-3", FakeCgroupFs.Get(leaf, "cpuset.cpus"));
        Assert.Equal("0", FakeCgroupFs.Get(leaf, "cpuset.mems"));
    }

    [Fact]
    public void Memory_limit_swap_reservation_swappiness_and_oom_killer()
    {
        FakeCgroupFs.Put(_paths["memory"], "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        var w = Set(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20, Reservation = 32 << 20, Swappiness = 10, DisableOOMKiller = true, Kernel = 1 << 20 } });
        // Lowering from unlimited: the memory limit goes first so it never exceeds memsw.
        Assert.Equal([
            "memory/rdmarun/c1/memory.limit_in_bytes=67108864", "memory/rdmarun/c1/memory.memsw.limit_in_bytes=134217728",
            "memory/rdmarun/c1/memory.soft_limit_in_bytes=33554432", "memory/rdmarun/c1/memory.swappiness=10",
            "memory/rdmarun/c1/memory.oom_control=1"], w);
    }

    [Fact]
    public void Kernel_tcp_memory_limit_is_written_and_needs_kmem_accounting()
    {
        FakeCgroupFs.Put(_paths["memory"], "memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n");
        var w = Set(new LinuxResources { Memory = new LinuxMemory { KernelTCP = 16 << 20 } });
        Assert.Equal(["memory/rdmarun/c1/memory.kmem.tcp.limit_in_bytes=16777216"], w);

        File.Delete(Path.Combine(_paths["memory"], "memory.kmem.tcp.limit_in_bytes"));
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Memory = new LinuxMemory { KernelTCP = 16 << 20 } }));
        Assert.StartsWith("cgroup: linux.resources.memory.kernelTCP set but kernel memory accounting is off", e.Message);
    }

    [Fact]
    public void Raising_memory_and_swap_writes_memsw_first()
    {
        FakeCgroupFs.Put(_paths["memory"], "memory.memsw.limit_in_bytes", "33554432\n");
        var w = Set(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20 } });
        Assert.Equal(["memory/rdmarun/c1/memory.memsw.limit_in_bytes=134217728", "memory/rdmarun/c1/memory.limit_in_bytes=67108864"], w);
    }

    [Fact]
    public void Invalid_swappiness_is_rejected()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Memory = new LinuxMemory { Swappiness = 101 } }));
        Assert.Equal("cgroup: invalid linux.resources.memory.swappiness 101: must be 0..100", e.Message);
    }

    [Theory]
    [InlineData(100L, "100")]
    [InlineData(0L, "max")]
    [InlineData(-1L, "max")]
    public void Pids_limit(long limit, string expected)
    {
        Assert.Equal([$"pids/rdmarun/c1/pids.max={expected}"], Set(new LinuxResources { Pids = new LinuxPids { Limit = limit } }));
    }

    [Fact]
    public void Blkio_weights_and_throttles_one_write_per_device()
    {
        var w = Set(new LinuxResources
        {
            BlockIO = new LinuxBlockIO
            {
                Weight = 500, LeafWeight = 300,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 600, LeafWeight = 200 }],
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1048576 }, new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 2048 }],
                ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 100 }],
            },
        });
        Assert.Equal([
            "blkio/rdmarun/c1/blkio.weight=500", "blkio/rdmarun/c1/blkio.leaf_weight=300",
            "blkio/rdmarun/c1/blkio.weight_device=8:0 600", "blkio/rdmarun/c1/blkio.leaf_weight_device=8:0 200",
            "blkio/rdmarun/c1/blkio.throttle.read_bps_device=8:0 1048576", "blkio/rdmarun/c1/blkio.throttle.read_bps_device=8:16 2048",
            "blkio/rdmarun/c1/blkio.throttle.write_iops_device=8:0 100"], w);
    }

    [Fact]
    public void Blkio_weight_without_cfq_or_bfq_is_a_clear_error()
    {
        File.Delete(Path.Combine(_paths["blkio"], "blkio.weight"));
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 500 } }));
        Assert.Equal($"cgroup: linux.resources.blockIO weight needs the CFQ or BFQ io scheduler: {_paths["blkio"]}/blkio.bfq.weight does not exist", e.Message);
    }

    [Fact]
    public void Hugetlb_limit_and_reservation()
    {
        var w = Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4194304 }, new LinuxHugepageLimit { Pagesize = "1GB", Limit = 0 }] });
        Assert.Equal([
            "hugetlb/rdmarun/c1/hugetlb.2MB.limit_in_bytes=4194304", "hugetlb/rdmarun/c1/hugetlb.2MB.rsvd.limit_in_bytes=4194304",
            "hugetlb/rdmarun/c1/hugetlb.1GB.limit_in_bytes=0"], w);
    }

    [Fact]
    public void Unknown_hugepage_size_is_rejected()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "64KB", Limit = 1 }] }));
        Assert.StartsWith("cgroup: hugetlb page size \"64KB\" not supported: ", e.Message);
    }

    [Fact]
    public void Rdma_max_lines_per_device_with_missing_values_as_max()
    {
        var w = Set(new LinuxResources
        {
            Rdma = new() { ["mlx5_1"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 10000 }, ["mlx5_0"] = new LinuxRdma { HcaHandles = 2 }, ["rxe0"] = new LinuxRdma() },
        });
        Assert.Equal([
            "rdma/rdmarun/c1/rdma.max=mlx5_0 hca_handle=2 hca_object=max",
            "rdma/rdmarun/c1/rdma.max=mlx5_1 hca_handle=3 hca_object=10000",
            "rdma/rdmarun/c1/rdma.max=rxe0 hca_handle=max hca_object=max"], w);
    }

    [Fact]
    public void Rdma_without_the_controller_fails_with_the_documented_message()
    {
        var e = Assert.Throws<CgroupException>(() =>
            Set(new LinuxResources { Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaHandles = 1 } } }, "rdma"));
        Assert.Equal("cgroup: rdma controller not available on this host, cannot apply linux.resources.rdma", e.Message);
    }

    [Fact]
    public void Net_cls_classid_and_net_prio_ifpriomap()
    {
        var w = Set(new LinuxResources { Network = new LinuxNetwork { ClassID = 0x100001, Priorities = [new LinuxInterfacePriority { Name = "eth0", Priority = 5 }, new LinuxInterfacePriority { Name = "ib0", Priority = 7 }] } });
        Assert.Equal(["net_cls/rdmarun/c1/net_cls.classid=1048577", "net_prio/rdmarun/c1/net_prio.ifpriomap=eth0 5", "net_prio/rdmarun/c1/net_prio.ifpriomap=ib0 7"], w);
    }

    [Fact]
    public void Missing_controller_names_the_spec_field()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Network = new LinuxNetwork { ClassID = 1 } }, "net_cls"));
        Assert.Equal("cgroup: net_cls controller not available on this host, cannot apply linux.resources.network.classID", e.Message);
    }

    [Fact]
    public void Devices_deny_all_then_rules_in_order()
    {
        var w = Set(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 231, Access = "rw" },
                new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 231, Minor = 64 },
            ],
        });
        Assert.Equal([
            "devices/rdmarun/c1/devices.deny=a", "devices/rdmarun/c1/devices.deny=a",
            "devices/rdmarun/c1/devices.allow=c 1:3 rwm", "devices/rdmarun/c1/devices.allow=c 231:* rw",
            "devices/rdmarun/c1/devices.deny=c 231:64 rwm"], w);
    }

    [Fact]
    public void Unified_map_is_refused_on_v1()
    {
        var e = Assert.Throws<CgroupException>(() => Set(new LinuxResources { Unified = new() { ["memory.high"] = "1G" } }));
        Assert.Equal("cgroup: linux.resources.unified needs cgroup v2, this host uses v1 cgroups", e.Message);
    }

    [Fact]
    public void Stats_from_v1_files()
    {
        FakeCgroupFs.Put(_paths["memory"], "memory.usage_in_bytes", "1048576\n");
        FakeCgroupFs.Put(_paths["memory"], "memory.limit_in_bytes", "33554432\n");
        FakeCgroupFs.Put(_paths["memory"], "memory.failcnt", "7\n");
        FakeCgroupFs.Put(_paths["memory"], "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        FakeCgroupFs.Put(_paths["pids"], "pids.current", "3\n");
        FakeCgroupFs.Put(_paths["pids"], "pids.max", "max\n");
        FakeCgroupFs.Put(_paths["cpuacct"], "cpuacct.usage", "123456789\n");
        FakeCgroupFs.Put(_paths["cpuacct"], "cpuacct.stat", "user 3\nsystem 1\n");
        FakeCgroupFs.Put(_paths["rdma"], "rdma.current", "mlx5_0 hca_handle=1 hca_object=4\n");
        FakeCgroupFs.Put(_paths["rdma"], "rdma.max", "mlx5_0 hca_handle=2 hca_object=max\n");
        var m = Manager();
        var s = m.GetStats();
        Assert.Equal(1048576UL, s.Memory.Usage);
        Assert.Equal(33554432UL, s.Memory.Limit);
        Assert.Equal(7UL, s.Memory.Failcnt);
        Assert.Equal(2UL, s.OomKillCount);
        Assert.True(m.OomKilled());
        Assert.Equal(3UL, s.Pids.Current);
        Assert.Null(s.Pids.Limit);
        Assert.Equal(123456789UL, s.Cpu.UsageNanoseconds);
        Assert.Equal(30_000_000UL, s.Cpu.UserNanoseconds);
        var rdma = Assert.Single(s.Rdma);
        Assert.Equal("mlx5_0", rdma.Key);
        Assert.Equal((1UL, 4UL, (ulong?)2UL, (ulong?)null), (rdma.Value.HcaHandlesCurrent, rdma.Value.HcaObjectsCurrent, rdma.Value.HcaHandlesMax, rdma.Value.HcaObjectsMax));
    }

    [Fact]
    public void Unlimited_v1_memory_limit_reads_as_null()
    {
        FakeCgroupFs.Put(_paths["memory"], "memory.limit_in_bytes", "9223372036854771712\n");
        Assert.Null(Manager().GetStats().Memory.Limit);
        Assert.False(Manager().OomKilled());
    }

    [Fact]
    public void Apply_writes_the_pid_into_every_hierarchy()
    {
        var w = Recording.Capture(_fs.Root, () => Manager().Apply(4242));
        Assert.Equal(Files.Keys.Select(c => $"{c}/rdmarun/c1/cgroup.procs=4242").Order(), w.Order());
    }
}
