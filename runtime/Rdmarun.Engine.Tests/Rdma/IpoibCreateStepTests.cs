using System.Diagnostics;
using Rdmarun.Engine.Net;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Ipoib;
using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Qos;
using Rdmarun.Rdma.Rtnl;
using Rdmarun.Rdma.Tests.Rtnl;
using static Rdmarun.Rdma.Tests.Ipoib.IpoibWire;
using static Rdmarun.Rdma.Tests.Rtnl.RtnlReplies;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// The IPoIB step of rdmarun's own create (NetDevicesMove with the children IpoibCheck planned) against a real
/// network namespace of its own (unshare) and recorded rtnetlink exchanges: each child saved before it exists,
/// made in that netns, deleted again when create fails later (Release).
/// </summary>
public sealed class IpoibCreateStepTests
{
    /// <summary>Builds its replay at the first request: by then the test knows the container's netns fd.</summary>
    sealed class Deferred(Func<IRtnlTransport> make) : IRtnlTransport
    {
        IRtnlTransport? _inner;
        public void Send(ReadOnlySpan<byte> request) => (_inner ??= make()).Send(request);
        public byte[] Receive() => _inner!.Receive();
        public void Dispose() { }
    }

    static readonly IpoibChild[] Children = [new("mlx4_1", 1, "ib1", 0x8001, "ib1.8001")];

    static Spec NetnsSpec() => new() { Linux = new Linux { Namespaces = [new LinuxNamespace { Type = "network" }] } };

    [Fact]
    public void create_makes_the_child_saved_first_and_a_later_failure_deletes_it()
    {
        using var init = System.Diagnostics.Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "60"]))!;
        try
        {
            WaitForOwnNetns(init.Id);
            int fd = -1;
            var host = new Deferred(() => new RtnlReplay(
                (GetLink(1, "ib1"), [Link(1, 4, "ib1", up: true), Ack(1)]),
                (Add(2, "ib1.8001", "0180", fd), [Ack(2)])));
            var ctr = new RtnlReplay(
                (GetLink(1, "ib1.8001"), [Error(1, Errno.ENODEV)]),
                (GetLink(2, "ib1.8001"), [Link(2, 9, "ib1.8001", up: false, kind: "ipoib"), Ack(2)]),
                (Up(3, 9), [Ack(3)]));
            var saves = new List<string>();
            NetDevicesMove move;
            using (RtnlSockets.Use(() => host, f => { fd = f; return ctr; }))
                move = NetDevicesMove.IntoContainer(NetnsSpec(), init.Id, RdmaQos.Parse(null, RdmaPolicy.Default()),
                    saved => saves.Add(string.Join(",", saved.Select(d => $"{d.ContainerName}:{d.Kind}:{d.HostIndex}"))), ipoib: Children)!;
            Assert.True(ctr.Finished);
            // Saved before it existed (index 0), then with its index (and once more after the QoS step).
            Assert.Equal(["ib1.8001:ipoib:0", "ib1.8001:ipoib:9", "ib1.8001:ipoib:9"], saves);

            // create fails after this step: the child is deleted from the netns, which still exists.
            var undo = new RtnlReplay(
                (GetLink(1, "ib1.8001"), [Link(1, 9, "ib1.8001", up: true, kind: "ipoib"), Ack(1)]),
                (Del(2, 9), [Ack(2)]));
            using (RtnlSockets.Use(() => new RtnlReplay(), _ => undo))
                move.Release();
            Assert.True(undo.Finished);
        }
        finally
        {
            init.Kill();
            init.WaitForExit();
        }
    }

    [Fact]
    public void a_container_in_the_runtimes_netns_is_refused_naming_the_annotation()
    {
        var e = Assert.Throws<RuntimeError>(() => NetDevicesMove.IntoContainer(NetnsSpec(), Environment.ProcessId,
            RdmaQos.Parse(null, RdmaPolicy.Default()), _ => { }, ipoib: Children));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: the container's network namespace is the runtime's own: nothing can be moved into it", e.Message);
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
