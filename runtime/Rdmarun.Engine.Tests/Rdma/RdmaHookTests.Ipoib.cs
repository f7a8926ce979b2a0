using Rdmarun.Engine.Net;
using Rdmarun.Engine.Rdma;
using Rdmarun.Engine.Rdma.Hook;
using Rdmarun.OciSpec;
using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Tests;
using Rdmarun.Rdma.Tests.Rtnl;
using static Rdmarun.Rdma.Tests.Ipoib.IpoibWire;
using static Rdmarun.Rdma.Tests.Rtnl.RtnlReplies;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// The hook's IPoIB children (org.rdmarun.rdma.ipoib=true) on the mlx4 SR-IOV fixture: rtnetlink over recorded
/// exchanges (no machine here has an IPoIB parent), the RDMA device move over <see cref="FakeRdmaKernel"/>.
/// </summary>
public sealed partial class RdmaHookTests
{
    string NoPolicy => Path.Combine(_dir, "no-policy.json"); // absent: the default policy (every device, any key)

    Spec IpoibSpec(string pkeys = "0x8001", bool netns = true)
    {
        var spec = SpecWith(Node("/dev/infiniband/uverbs1", 231, 193)); // mlx4_1, the VF
        spec.Annotations = new() { ["org.rdmarun.rdma.ipoib"] = "true", ["org.rdmarun.rdma.pkeys"] = pkeys };
        if (!netns) spec.Linux!.Namespaces = [new LinuxNamespace { Type = "mount" }];
        return spec;
    }

    [Fact]
    public void create_runtime_moves_the_vf_and_makes_an_ipoib_child_per_allowed_key_in_the_containers_netns()
    {
        using var sys = SysfsFixture.Mlx4SriovHost();
        using var init = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["--net", "sleep", "60"]))!;
        try
        {
            WaitForOwnNetns(init.Id);
            var k = new FakeRdmaKernel().Device("mlx4_0", 1, "host").Device("mlx4_1", 2, "host");
            var bundle = Bundle(IpoibSpec());
            int fd = -1;
            RtnlReplay? host = null;
            var ctr = new RtnlReplay(
                (GetLink(1, "ib1.8001"), [Error(1, Errno.ENODEV)]),
                (GetLink(2, "ib1.8001"), [Link(2, 9, "ib1.8001", up: false, kind: "ipoib"), Ack(2)]),
                (Up(3, 9), [Ack(3)]));
            using (RdmaNetlink.Use(() => k.Socket("host"), f => k.Socket(FakeRdmaKernel.NetnsOf(f))))
            // The container's socket is opened first: the host's expected bytes carry that netns fd.
            using (RtnlSockets.Use(() => host = new RtnlReplay((GetLink(1, "ib1"), [Link(1, 4, "ib1", up: true), Ack(1)]), (Add(2, "ib1.8001", "0180", fd), [Ack(2)])),
                       f => { fd = f; return ctr; }))
            {
                RdmaHook.Run("createRuntime", State("c1", init.Id, bundle), sys.Root, NoPolicy);
                Assert.True(host!.Finished && ctr.Finished);
                Assert.Equal("container", k.Where("mlx4_1"));
                Assert.Equal(["", "ib1.8001"], File.ReadAllLines(Path.Combine(RdmaHook.RecordDir, "c1.ipoib")));

                // A netns of the container's own took the child with it: poststop only forgets it (no rtnl request).
                k.ReturnAfterHostDumps = 1;
                RdmaHook.Run("poststop", State("c1", 0, bundle), sys.Root, NoPolicy);
            }
            Assert.Equal("host", k.Where("mlx4_1"));
            Assert.Empty(Directory.EnumerateFiles(RdmaHook.RecordDir));
        }
        finally
        {
            init.Kill();
            init.WaitForExit();
        }
    }

    [Fact]
    public void a_child_the_kernel_refuses_fails_the_hook_with_the_device_moved_back_and_no_record()
    {
        using var sys = SysfsFixture.Mlx4SriovHost();
        using var init = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["--net", "sleep", "60"]))!;
        try
        {
            WaitForOwnNetns(init.Id);
            var k = new FakeRdmaKernel().Device("mlx4_1", 2, "host");
            var bundle = Bundle(IpoibSpec());
            int fd = -1;
            var ctr = new RtnlReplay((GetLink(1, "ib1.8001"), [Error(1, Errno.ENODEV)]));
            RuntimeError e;
            using (RdmaNetlink.Use(() => k.Socket("host"), f => k.Socket(FakeRdmaKernel.NetnsOf(f))))
            using (RtnlSockets.Use(() => new RtnlReplay((GetLink(1, "ib1"), [Link(1, 4, "ib1", up: true), Ack(1)]), (Add(2, "ib1.8001", "0180", fd), [Error(2, Errno.EOPNOTSUPP)])),
                       f => { fd = f; return ctr; }))
                e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createRuntime", State("c2", init.Id, bundle), sys.Root, NoPolicy));
            Assert.Equal("rdma hook: netdev: cannot create ipoib device ib1.8001 for p_key 0x8001 on ib1 in the container's network namespace: operation not supported", e.Message);
            Assert.Equal("host", k.Where("mlx4_1"));
            Assert.Empty(Directory.EnumerateFiles(RdmaHook.RecordDir));
        }
        finally
        {
            init.Kill();
            init.WaitForExit();
        }
    }

    [Fact]
    public void poststop_deletes_the_children_from_a_netns_named_by_path()
    {
        // Such a netns outlives the container; the record names it (any openable file stands in for it here).
        var netns = Path.Combine(_dir, "netns-file");
        File.WriteAllText(netns, "");
        Directory.CreateDirectory(RdmaHook.RecordDir);
        File.WriteAllLines(Path.Combine(RdmaHook.RecordDir, "c3.ipoib"), [netns, "ib1.8001", "ib1.8002"]);
        var ctr = new RtnlReplay(
            (GetLink(1, "ib1.8002"), [Link(1, 10, "ib1.8002", up: true, kind: "ipoib"), Ack(1)]),
            (Del(2, 10), [Ack(2)]),
            (GetLink(3, "ib1.8001"), [Error(3, Errno.ENODEV)])); // already gone: nothing to do
        using (RtnlSockets.Use(() => throw new InvalidOperationException("no host socket at poststop"), _ => ctr))
            RdmaHook.Run("poststop", State("c3", 0, Bundle(SpecWith())), _hpc.Root, NoPolicy);
        Assert.True(ctr.Finished);
        Assert.False(File.Exists(Path.Combine(RdmaHook.RecordDir, "c3.ipoib")));
    }

    [Fact]
    public void ipoib_without_a_network_namespace_of_its_own_is_refused()
    {
        using var sys = SysfsFixture.Mlx4SriovHost();
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createRuntime", State("c4", Environment.ProcessId, Bundle(IpoibSpec(netns: false))), sys.Root, NoPolicy));
        Assert.Equal("rdma hook: annotation org.rdmarun.rdma.ipoib: the container has no network namespace of its own to put IPoIB devices in", e.Message);
        Assert.False(Directory.Exists(RdmaHook.RecordDir));
    }

    [Fact]
    public void a_key_the_policy_does_not_allow_is_refused_naming_the_policy()
    {
        using var sys = SysfsFixture.Mlx4SriovHost();
        var policy = Path.Combine(_dir, "rdma.json");
        File.WriteAllText(policy, """{ "devices": { "mlx4_1": { "pkeys": ["0x8002"] } } }""");
        var e = Assert.Throws<RuntimeError>(() => RdmaHook.Run("createRuntime", State("c5", Environment.ProcessId, Bundle(IpoibSpec())), sys.Root, policy));
        Assert.Equal($"rdma hook: rdma: p_key 0x8001 (from annotation org.rdmarun.rdma.pkeys) on device mlx4_1 is not allowed by policy {policy} (allowed: 0x8002)", e.Message);
        Assert.False(Directory.Exists(RdmaHook.RecordDir));
    }
}
