namespace Rdmarun.Cgroups.Tests.Unit;

public class CgroupSetupTests
{
    // This host: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified (hugetlb bound to cgroup2).
    private const string HybridMountInfo = """
        22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string HybridProcCgroup = """
        9:name=systemd:/
        8:pids:/
        4:memory:/process_api/5a88
        1:cpu:/
        0::/
        """;

    // A Debian 10 style v1 host with co-mounted controllers and no cgroup2.
    private const string LegacyMountInfo = """
        25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
        29 25 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,net_cls,net_prio
        30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
        31 25 0:28 / /sys/fs/cgroup/rdma rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,rdma
        """;

    private const string UnifiedMountInfo = """
        24 18 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        40 22 0:40 / /tmp/other rw - cgroup2 cgroup2 rw
        """;

    [Fact]
    public void Hybrid_host_is_detected_with_v1_controllers_and_the_unified_tree()
    {
        var setup = CgroupSetup.Parse(HybridMountInfo, HybridProcCgroup);
        Assert.Equal(CgroupMode.Hybrid, setup.Mode);
        Assert.Equal("/sys/fs/cgroup/unified", setup.UnifiedMount!.MountPoint);
        Assert.Equal(["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids"],
            setup.V1Mounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/sys/fs/cgroup/memory", setup.V1Mounts["memory"].MountPoint);
        Assert.Equal("/process_api/5a88", setup.OwnCgroups["memory"]);
        Assert.Equal("/", setup.OwnCgroups[""]);
    }

    [Fact]
    public void Legacy_host_maps_co_mounted_controllers_to_one_mount()
    {
        var setup = CgroupSetup.Parse(LegacyMountInfo, "");
        Assert.Equal(CgroupMode.Legacy, setup.Mode);
        Assert.Null(setup.UnifiedMount);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", setup.V1Mounts["cpu"].MountPoint);
        Assert.Same(setup.V1Mounts["cpu"], setup.V1Mounts["cpuacct"]);
        Assert.Same(setup.V1Mounts["net_cls"], setup.V1Mounts["net_prio"]);
        Assert.Equal("/sys/fs/cgroup/rdma", setup.V1Mounts["rdma"].MountPoint);
    }

    [Fact]
    public void Unified_host_ignores_cgroup2_mounts_outside_the_root()
    {
        var setup = CgroupSetup.Parse(UnifiedMountInfo, "0::/user.slice/session-1.scope\n");
        Assert.Equal(CgroupMode.Unified, setup.Mode);
        Assert.Equal("/sys/fs/cgroup", setup.UnifiedMount!.MountPoint);
        Assert.Empty(setup.V1Mounts);
        Assert.Equal("/user.slice/session-1.scope", setup.OwnCgroups[""]);
    }

    [Fact]
    public void Mount_point_escapes_and_mount_roots_are_decoded()
    {
        var m = CgroupSetup.ParseMountLine(@"31 30 0:28 /docker/abc /sys/fs/cgroup/my\040dir rw - cgroup cgroup rw,memory,clone_children");
        Assert.NotNull(m);
        Assert.Equal("/sys/fs/cgroup/my dir", m.MountPoint);
        Assert.Equal("/docker/abc", m.Root);
        Assert.Equal(["memory"], m.Controllers);
    }

    [Fact]
    public void No_cgroup_mount_is_a_clear_error()
    {
        var e = Assert.Throws<CgroupException>(() =>
            CgroupSetup.Parse("22 1 0:21 / /sys rw - sysfs sysfs rw\n", ""));
        Assert.Equal("cgroup: no cgroup filesystem mounted under /sys/fs/cgroup", e.Message);
    }

    [Fact]
    public void This_host_detects_as_it_is_mounted()
    {
        var setup = CgroupSetup.Detect();
        var mountinfo = File.ReadAllText("/proc/self/mountinfo");
        bool rootIsCgroup2 = mountinfo.Split('\n').Any(l => l.Contains(" /sys/fs/cgroup ") && l.Contains(" - cgroup2 "));
        Assert.Equal(rootIsCgroup2, setup.Mode == CgroupMode.Unified);
    }
}
