using System.Diagnostics;
using System.Text;
using Rdmarun.Engine.Rdma;
using Rdmarun.Engine.Rdma.Hook;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Tests;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// `rdmarun rdma-hook` as runc and crun call it: the grant read from config.json's device nodes against fake
/// sysfs trees, each refusal, and an exclusive-mode move and its return through the hook against
/// <see cref="FakeRdmaKernel"/> (the sysfs filtering itself runs in the kernel lab: rdma-suite.sh hook-* cases).
/// One class: the cases share RdmaHook.RecordDir.
/// </summary>
public sealed partial class RdmaHookTests : IDisposable
{
    readonly SysfsFixture _hpc = SysfsFixture.HpcHost();
    readonly string _dir = Directory.CreateTempSubdirectory("rdma-hook-").FullName;

    public RdmaHookTests() => RdmaHook.RecordDir = Path.Combine(_dir, "records");

    public void Dispose()
    {
        _hpc.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    int _bundles;

    static LinuxDevice Node(string path, int major, int minor) => new() { Path = path, Type = "c", Major = major, Minor = minor };

    static Spec SpecWith(params LinuxDevice[] nodes) => new()
    {
        Root = new Root { Path = "rootfs" },
        Linux = new Linux { Devices = [.. nodes], Namespaces = [new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "network" }] },
    };

    string Bundle(Spec spec)
    {
        var bundle = Path.Combine(_dir, $"bundle-{++_bundles}");
        Directory.CreateDirectory(bundle);
        File.WriteAllBytes(Path.Combine(bundle, "config.json"), SpecJson.SerializeToUtf8(spec));
        return bundle;
    }

    static byte[] State(string id, int pid, string bundle, string annotations = "{}")
        => Encoding.UTF8.GetBytes($$"""{"ociVersion":"1.0.2","id":"{{id}}","status":"creating","pid":{{pid}},"bundle":"{{bundle}}","annotations":{{annotations}}}""");

    [Fact]
    public void the_grant_is_the_devices_whose_uverbs_node_config_json_lists_matched_by_number()
    {
        // mlx5_1 is uverbs10 (231:202): the number decides, not the node's name in the container.
        var grant = RdmaHookGrant.From(SpecWith(Node("/dev/infiniband/uverbs0", 231, 202), Node("/dev/null", 1, 3)), new SysfsRdmaDiscovery(_hpc.Root).Discover());
        Assert.Equal(["mlx5_1"], grant.Devices);
        Assert.Equal(["mlx5_1", "uverbs10"], grant.SysfsVisible);
    }

    [Fact]
    public void umad_and_issm_nodes_stay_visible_but_grant_no_device_by_themselves()
    {
        var inventory = new SysfsRdmaDiscovery(_hpc.Root).Discover();
        var grant = RdmaHookGrant.From(SpecWith(Node("/dev/infiniband/uverbs12", 231, 204), Node("/dev/infiniband/umad12", 231, 12), Node("/dev/infiniband/issm0", 231, 64)), inventory);
        Assert.Equal(["mlx4_0"], grant.Devices);
        Assert.Equal(["issm0", "mlx4_0", "umad12", "uverbs12"], grant.SysfsVisible);
    }

    [Fact]
    public void a_spec_without_rdma_nodes_grants_nothing_and_shows_nothing()
    {
        var grant = RdmaHookGrant.From(SpecWith(Node("/dev/fuse", 10, 229), Node("/dev/infiniband/rdma_cm", 10, 57)), new SysfsRdmaDiscovery(_hpc.Root).Discover());
        Assert.Empty(grant.Devices);
        Assert.Empty(grant.SysfsVisible);
    }

    [Fact]
    public void under_rdmarun_every_phase_does_nothing()
    {
        // rdmarun's grant annotation in the state: no bundle is even read (this one does not exist).
        foreach (var phase in RdmaHook.Phases)
            RdmaHook.Run(phase, State("c1", 1, "/nonexistent/bundle", """{"org.rdmarun.rdma.granted":"rxe0"}"""), _hpc.Root);
        Assert.False(Directory.Exists(RdmaHook.RecordDir));
    }

    [Fact]
    public void an_unknown_phase_is_refused_naming_the_phases()
    {
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("prestart", State("c1", 1, _dir), _hpc.Root));
        Assert.Equal("rdma hook: unknown phase prestart (use createRuntime, createContainer, poststop)", e.Message);
    }

    [Fact]
    public void a_state_without_bundle_is_refused()
    {
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createContainer", Encoding.UTF8.GetBytes("""{"ociVersion":"1.0.2","id":"c1","status":"creating","pid":1}"""), _hpc.Root));
        Assert.Equal("rdma hook: the state on stdin has no bundle", e.Message);
    }

    [Fact]
    public void a_state_that_is_not_json_is_refused()
        => Assert.Throws<SpecException>(() => RdmaHook.Run("createContainer", "not json"u8, _hpc.Root));

    [Fact]
    public void a_missing_config_json_is_refused_with_its_path()
    {
        var e = Assert.Throws<SpecException>(() => RdmaHook.Run("createContainer", State("c1", 1, Path.Combine(_dir, "nothing")), _hpc.Root));
        Assert.Contains(Path.Combine(_dir, "nothing", "config.json"), e.Message);
    }

    [Fact]
    public void create_container_where_the_containers_sysfs_is_not_mounted_is_refused_before_any_mount()
    {
        // What a hook listed under createRuntime sees: the spec mounts sysfs, but not in this mount namespace.
        var spec = SpecWith(Node("/dev/infiniband/uverbs0", 231, 192));
        spec.Mounts = [new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs" }];
        var bundle = Bundle(spec);
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs", "sys", "class", "infiniband"));
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createContainer", State("c1", 1, bundle), _hpc.Root));
        Assert.Equal($"rdma hook: no sysfs mounted at {bundle}/rootfs/sys here: list `rdma-hook createContainer` under hooks.createContainer (it runs where the container's mounts are), not createRuntime or prestart", e.Message);
    }

    [Fact]
    public void create_container_without_a_sysfs_in_the_spec_has_nothing_to_hide()
    {
        var bundle = Bundle(SpecWith(Node("/dev/infiniband/uverbs0", 231, 192)));
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs", "sys", "class", "infiniband"));
        RdmaHook.Run("createContainer", State("c1", 1, bundle), _hpc.Root);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(bundle, "rootfs", "sys", "class", "infiniband")));
    }

    [Fact]
    public void create_runtime_without_a_granted_device_moves_nothing_and_records_nothing()
    {
        var bundle = Bundle(SpecWith());
        RdmaHook.Run("createRuntime", State("c1", Environment.ProcessId, bundle), _hpc.Root);
        RdmaHook.Run("poststop", State("c1", 0, bundle), _hpc.Root);
        Assert.False(Directory.Exists(RdmaHook.RecordDir));
    }

    [Fact]
    public void create_runtime_for_a_container_in_the_hosts_netns_moves_nothing_and_records_nothing()
    {
        // The grant is real but the "container" shares our netns (as in shared mode, nothing may move):
        // no error, no record directory (the lab caught a delete of a record that was never written).
        var bundle = Bundle(SpecWith(Node("/dev/infiniband/uverbs0", 231, 192)));
        RdmaHook.Run("createRuntime", State("c1", Environment.ProcessId, bundle), _hpc.Root);
        RdmaHook.Run("poststop", State("c1", 0, bundle), _hpc.Root);
        Assert.False(Directory.Exists(RdmaHook.RecordDir));
    }

    [Fact]
    public void create_runtime_with_a_grant_but_no_pid_is_refused()
    {
        var bundle = Bundle(SpecWith(Node("/dev/infiniband/uverbs0", 231, 192)));
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createRuntime", State("c1", 0, bundle), _hpc.Root));
        Assert.Equal("rdma hook: container c1: the state on stdin has no pid", e.Message);
    }

    [Fact]
    public void an_id_with_a_slash_cannot_name_a_record_outside_the_record_dir()
    {
        var bundle = Bundle(SpecWith(Node("/dev/infiniband/uverbs0", 231, 192)));
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createRuntime", State("../x", 1, bundle), _hpc.Root));
        Assert.Equal("rdma hook: invalid container id '../x'", e.Message);
    }

    [Fact]
    public void exclusive_mode_create_runtime_moves_the_granted_device_and_poststop_waits_for_its_return()
    {
        // A process in a network namespace of its own stands in for the container's init.
        using var init = System.Diagnostics.Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "60"]))!;
        try
        {
            WaitForOwnNetns(init.Id);
            var k = new FakeRdmaKernel().Device("mlx5_0", 1, "host").Device("mlx5_1", 2, "host");
            var bundle = Bundle(SpecWith(Node("/dev/infiniband/uverbs10", 231, 202)));
            using (RdmaNetlink.Use(() => k.Socket("host"), fd => k.Socket(FakeRdmaKernel.NetnsOf(fd))))
            {
                RdmaHook.Run("createRuntime", State("c1", init.Id, bundle), _hpc.Root);
                Assert.Equal("container", k.Where("mlx5_1"));
                Assert.Equal("host", k.Where("mlx5_0"));
                Assert.Equal("mlx5_1\n\n", File.ReadAllText(Path.Combine(RdmaHook.RecordDir, "c1")));

                // The container's netns dies; the kernel hands the device back two host dumps later.
                k.ReturnAfterHostDumps = 2;
                k.Log.Clear();
                RdmaHook.Run("poststop", State("c1", 0, bundle), _hpc.Root);
            }
            Assert.Equal("host", k.Where("mlx5_1"));
            Assert.Equal(["dump host", "dump host"], k.Log);
            Assert.False(File.Exists(Path.Combine(RdmaHook.RecordDir, "c1")));
        }
        finally
        {
            init.Kill();
            init.WaitForExit();
        }
    }

    static void WaitForOwnNetns(int pid)
    {
        var mine = new FileInfo("/proc/self/ns/net").LinkTarget;
        for (var i = 0; i < 200; i++)
        {
            try { if (new FileInfo($"/proc/{pid}/ns/net").LinkTarget is { } t && t != mine) return; }
            catch (IOException) { }
            Thread.Sleep(10);
        }
        throw new InvalidOperationException("unshare --net did not start");
    }
}
