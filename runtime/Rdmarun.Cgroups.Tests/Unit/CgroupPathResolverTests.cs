namespace Rdmarun.Cgroups.Tests.Unit;

public class CgroupPathResolverTests
{
    private static readonly CgroupSetup Hybrid = CgroupSetup.Parse("""
        31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """, "4:memory:/process_api/5a88\n1:cpu:/\n0::/\n");

    private static readonly CgroupSetup Unified = CgroupSetup.Parse(
        "24 18 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice/user-0.slice/session-3.scope\n");

    [Theory]
    [InlineData("", "")]
    [InlineData("/a/b/", "/a/b")]
    [InlineData("/a/../../b", "/b")]
    [InlineData("a/./b", "a/b")]
    [InlineData("../../etc", "etc")]
    [InlineData("a/../..", "")]
    public void CleanPath_never_climbs_out(string input, string expected) =>
        Assert.Equal(expected, CgroupPathResolver.CleanPath(input));

    [Fact]
    public void Absolute_path_is_under_each_mount_point()
    {
        var m = CgroupManagerFactory.Create("/rdmarun/c1", "c1", Hybrid, rootless: false);
        Assert.Equal("/sys/fs/cgroup/cpu/rdmarun/c1", m.Paths["cpu"]);
        Assert.Equal("/sys/fs/cgroup/memory/rdmarun/c1", m.Paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/unified/rdmarun/c1", m.Paths[""]);
        Assert.Equal(CgroupMode.Hybrid, m.Mode);
    }

    [Fact]
    public void Relative_path_is_under_the_callers_own_cgroup_in_each_hierarchy()
    {
        var m = CgroupManagerFactory.Create("jobs/c1", "c1", Hybrid, rootless: false);
        Assert.Equal("/sys/fs/cgroup/memory/process_api/5a88/jobs/c1", m.Paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/cpu/jobs/c1", m.Paths["cpu"]);
    }

    [Fact]
    public void Empty_path_uses_the_container_id_under_the_callers_cgroup_like_runc()
    {
        var m = CgroupManagerFactory.Create("", "c1", Hybrid, rootless: false);
        Assert.Equal("/sys/fs/cgroup/memory/process_api/5a88/c1", m.Paths["memory"]);
        Assert.Equal("/sys/fs/cgroup/unified/c1", m.Paths[""]);
    }

    [Fact]
    public void Pure_v2_relative_path_goes_under_the_parent_of_the_callers_cgroup()
    {
        var m = CgroupManagerFactory.Create("c1", "c1", Unified, rootless: false);
        Assert.Equal(CgroupMode.Unified, m.Mode);
        Assert.Equal(new Dictionary<string, string> { [""] = "/sys/fs/cgroup/user.slice/user-0.slice/c1" }, m.Paths);
        var abs = CgroupManagerFactory.Create("/machine/c1", "c1", Unified, rootless: false);
        Assert.Equal("/sys/fs/cgroup/machine/c1", abs.Paths[""]);
    }

    [Fact]
    public void Escaping_relative_path_is_cleaned_into_the_callers_cgroup()
    {
        var m = CgroupManagerFactory.Create("../../../etc", "c1", Hybrid, rootless: false);
        Assert.Equal("/sys/fs/cgroup/memory/process_api/5a88/etc", m.Paths["memory"]);
    }

    [Fact]
    public void Mount_root_is_stripped_from_the_own_cgroup_inside_a_cgroup_namespace()
    {
        var setup = CgroupSetup.Parse("34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
            "4:memory:/docker/abc/sub\n");
        var m = CgroupManagerFactory.Create("c1", "c1", setup, rootless: false);
        Assert.Equal("/sys/fs/cgroup/memory/sub/c1", m.Paths["memory"]);
    }

    [Fact]
    public void Root_cgroup_is_refused()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupManagerFactory.Create("/", "", Hybrid, rootless: false));
        Assert.Equal("cgroup: cannot use the cgroup root as a container cgroup", e.Message);
    }

    [Fact]
    public void Load_rebuilds_the_same_kind_of_manager_from_saved_paths()
    {
        var v1 = CgroupManagerFactory.Create("/r/c1", "c1", Hybrid, rootless: false);
        var loaded = CgroupManagerFactory.Load(v1.Paths);
        Assert.IsType<FsV1Manager>(loaded);
        Assert.Equal(CgroupMode.Hybrid, loaded.Mode);
        Assert.Equal(v1.Paths, loaded.Paths);

        var v2 = CgroupManagerFactory.Create("/r/c1", "c1", Unified, rootless: false);
        var loaded2 = CgroupManagerFactory.Load(v2.Paths);
        Assert.IsType<FsV2Manager>(loaded2);
        Assert.Equal(v2.Paths, loaded2.Paths);
    }
}
