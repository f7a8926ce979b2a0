using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>Hybrid hosts: v1 controllers plus a cgroup2 tree that some controllers (hugetlb here) are bound to.</summary>
public sealed class HybridTests : IDisposable
{
    private readonly FakeCgroupFs _fs = new();
    private readonly string _memory, _freezer, _unifiedRoot, _unified;

    public HybridTests()
    {
        _memory = _fs.Dir("memory/c1", "cgroup.procs", "memory.limit_in_bytes");
        _freezer = _fs.Dir("freezer/c1", "cgroup.procs", "freezer.state");
        _unifiedRoot = _fs.Dir("unified", "cgroup.controllers", "cgroup.subtree_control");
        FakeCgroupFs.Put(_unifiedRoot, "cgroup.controllers", "hugetlb\n");
        _unified = _fs.Dir("unified/c1", "cgroup.procs", "cgroup.kill", "hugetlb.2MB.max");
    }

    public void Dispose() => _fs.Dispose();

    private FsV1Manager Manager(bool withFreezer = true)
    {
        var paths = new Dictionary<string, string> { ["memory"] = _memory, [""] = _unified };
        if (withFreezer) paths["freezer"] = _freezer;
        return new FsV1Manager(paths, new Dictionary<string, string> { ["memory"] = _fs.Root + "/memory", [""] = _unifiedRoot }, rootless: false);
    }

    [Fact]
    public void Hugetlb_bound_to_cgroup2_is_written_through_the_unified_tree()
    {
        var w = Recording.Capture(_fs.Root, () => Manager().Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4194304 }] }));
        Assert.Equal(["unified/cgroup.subtree_control=+hugetlb", "unified/c1/hugetlb.2MB.max=4194304"], w);
    }

    [Fact]
    public void Apply_joins_v1_hierarchies_and_the_unified_tree()
    {
        var w = Recording.Capture(_fs.Root, () => Manager().Apply(99));
        Assert.Equal(["freezer/c1/cgroup.procs=99", "memory/c1/cgroup.procs=99", "unified/c1/cgroup.procs=99"], w.Order());
        Assert.Equal(CgroupMode.Hybrid, Manager().Mode);
    }

    [Fact]
    public void Sigkill_uses_cgroup_kill_of_the_unified_tree()
    {
        Assert.Equal(["unified/c1/cgroup.kill=1"], Recording.Capture(_fs.Root, () => Manager().Kill(9)));
    }

    [Fact]
    public void V1_freezer_writes_frozen_and_thawed()
    {
        var w = Recording.Capture(_fs.Root, () => { Manager().Freeze(); Manager().Thaw(); });
        Assert.Equal(["freezer/c1/freezer.state=FROZEN", "freezer/c1/freezer.state=THAWED"], w);
        Assert.Equal(FreezerState.Thawed, Manager().GetFreezerState());
    }

    [Fact]
    public void Load_with_the_setup_keeps_the_unified_fallback()
    {
        var setup = CgroupSetup.Parse(
            _fs.V1MountInfo("memory", "freezer") + _fs.UnifiedMountInfo("/unified"), "0::/\n4:memory:/\n", _fs.Root);
        Assert.Equal(CgroupMode.Hybrid, setup.Mode);
        var created = CgroupManagerFactory.Create("/c1", "c1", setup, rootless: false);
        Assert.Equal(new Dictionary<string, string> { ["memory"] = _memory, ["freezer"] = _freezer, [""] = _unified }, created.Paths);
        var loaded = CgroupManagerFactory.Load(created.Paths, setup);
        var w = Recording.Capture(_fs.Root, () => loaded.Set(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 0 }] }));
        Assert.Equal(["unified/cgroup.subtree_control=+hugetlb", "unified/c1/hugetlb.2MB.max=0"], w);
    }

    [Fact]
    public void Controller_missing_in_both_trees_names_the_field()
    {
        var e = Assert.Throws<CgroupException>(() => Manager().Set(new LinuxResources { Pids = new LinuxPids { Limit = 5 } }));
        Assert.Equal("cgroup: pids controller not available on this host, cannot apply linux.resources.pids", e.Message);
    }

    [Fact]
    public void Rootless_without_a_writable_hierarchy_says_so()
    {
        var m = new FsV1Manager(new Dictionary<string, string> { ["memory"] = _memory },
            new Dictionary<string, string> { ["memory"] = _fs.Root + "/memory", ["pids"] = _fs.Root + "/pids" }, rootless: true);
        var e = Assert.Throws<CgroupException>(() => m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 5 } }));
        Assert.Equal("cgroup: rootless container cannot write the pids cgroup, cannot apply linux.resources.pids", e.Message);
    }
}
