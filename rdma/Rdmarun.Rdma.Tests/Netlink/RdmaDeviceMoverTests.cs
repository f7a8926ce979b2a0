using Rdmarun.Rdma.Netlink;
using static Rdmarun.Rdma.Tests.Netlink.Recordings;

namespace Rdmarun.Rdma.Tests.Netlink;

public class RdmaDeviceMoverTests
{
    [Fact]
    public void moves_by_exact_name_using_the_dumped_index()
    {
        var move = """
            20000000 0214 0500 02000000 00000000
            0800 0100 0b000000                     # DEV_INDEX 11: mlx5_10, not mlx5_1
            0800 4400 07000000
            """;
        var t = new ReplayTransport(
            (DeviceDumpRequest, [DeviceDumpReply, DumpDone]),
            (move, [Ack(2, "20000000 0214 0500 02000000 00000000")]));
        RdmaDeviceMover.Move(new NldevClient(t), "mlx5_10", 7, "mlx5_core");
        Assert.True(t.Finished);
    }

    [Fact]
    public void a_device_not_in_this_netns_is_reported_with_what_is_visible()
    {
        var t = new ReplayTransport((DeviceDumpRequest, [DeviceDumpReply, DumpDone]));
        var e = Assert.Throws<RdmaNetlinkException>(() => RdmaDeviceMover.Move(new NldevClient(t), "mlx5_1", 7));
        Assert.Equal(Errno.ENODEV, e.Errno);
        Assert.Equal("rdma: cannot move device mlx5_1 into the container's network namespace: it is not in this network namespace (visible: mlx5_0, mlx5_10)", e.Message);
    }

    [Fact]
    public void visibility_check_after_a_return()
    {
        var t = new ReplayTransport((DeviceDumpRequest, [DeviceDumpReply, DumpDone]));
        Assert.True(RdmaDeviceMover.IsVisible(new NldevClient(t), "mlx5_10"));
    }

    [Fact]
    public void opening_a_socket_inside_a_netns_enters_it_or_says_why_not()
    {
        using var ns = File.OpenHandle("/proc/self/ns/net");
        try
        {
            using var socket = NetlinkRdmaSocket.OpenInNetns((int)ns.DangerousGetHandle());
            Assert.True(Enum.IsDefined(new NldevClient(socket).GetNetnsMode()));
        }
        catch (RdmaNetlinkException e)
        {
            // Without ib_core: socket() fails after the setns; without CAP_SYS_ADMIN: setns fails.
            Assert.Matches(@"^rdma: cannot (open a NETLINK_RDMA socket \(is ib_core loaded\?\)|enter the network namespace of fd \d+): [a-z ]+$", e.Message);
        }
        // This thread's netns is untouched.
        var netns = new FileInfo("/proc/thread-self/ns/net").LinkTarget;
        Assert.StartsWith("net:[", netns);
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, netns);
    }
}
