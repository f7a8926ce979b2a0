using Rdmarun.Rdma.Netlink;
using static Rdmarun.Rdma.Tests.Netlink.Recordings;

namespace Rdmarun.Rdma.Tests.Netlink;

public class NldevClientTests
{
    [Fact]
    public void device_dump_decodes_both_devices()
    {
        var t = new ReplayTransport((DeviceDumpRequest, [DeviceDumpReply, DumpDone]));
        var devices = new NldevClient(t).GetDevices();
        Assert.Equal(
            [new NldevDevice(1, "mlx5_0", 1, 0x0c42a10300123400, "16.35.2000", 1, "ib"),
             new NldevDevice(11, "mlx5_10", 1, 0x0c42a1030012340a, "16.35.2000", 1, "ib")],
            devices);
        Assert.Equal("0c42:a103:0012:340a", devices[1].NodeGuidText);
        Assert.True(t.Finished);
    }

    [Fact]
    public void find_device_matches_names_exactly()
    {
        var t = new ReplayTransport((DeviceDumpRequest, [DeviceDumpReply, DumpDone]), (DeviceDumpRequest.Replace("01000000 00000000", "02000000 00000000"), [DeviceDumpReply.Replace("01000000 e8030000", "02000000 e8030000"), DumpDone.Replace("01000000", "02000000")]));
        var client = new NldevClient(t);
        Assert.Null(client.FindDevice("mlx5_1"));
        Assert.Equal(11u, client.FindDevice("mlx5_10")!.Index);
    }

    [Fact]
    public void port_dump_reads_state_and_netdev_and_stops_at_done_in_the_same_datagram()
    {
        var t = new ReplayTransport((PortDumpRequest, [PortDumpReplyWithDone]));
        var port = Assert.Single(new NldevClient(t).GetPorts(1));
        Assert.Equal(new NldevPort(1, "rxe0", 1, 4, 5, null, 3, "veth0"), port);
        Assert.True(t.Finished);
    }

    [Fact]
    public void get_chardev_for_uverbs_returns_node_and_numbers()
    {
        var t = new ReplayTransport((GetUverbsRequest, [GetUverbsReply, GetUverbsAck]));
        var c = new NldevClient(t).GetCharDevice("uverbs", deviceIndex: 1);
        Assert.Equal(new NldevCharDevice("uverbs0", 231, 192, 1), c);
        Assert.True(t.Finished);
    }

    [Fact]
    public void get_chardev_for_rdma_cm_needs_no_device()
    {
        var t = new ReplayTransport((GetRdmaCmRequest, [GetRdmaCmReply, GetRdmaCmAck]));
        Assert.Equal(new NldevCharDevice("rdma_cm", 10, 57, 4), new NldevClient(t).GetCharDevice("rdma_cm"));
    }

    [Theory]
    [InlineData(true, RdmaNetnsMode.Shared)]
    [InlineData(false, RdmaNetnsMode.Exclusive)]
    public void sys_get_reads_the_netns_mode(bool shared, RdmaNetnsMode expected)
    {
        var t = new ReplayTransport((SysGetRequest(1), [SysGetReply(1, shared), Ack(1, "10000000 0614 0500 01000000 00000000")]));
        Assert.Equal(expected, new NldevClient(t).GetNetnsMode());
        Assert.True(t.Finished);
    }

    [Fact]
    public void sys_set_exclusive_while_namespaces_exist_explains_ebusy()
    {
        var t = new ReplayTransport((SysSetExclusiveRequest, [SysSetBusyError]));
        var e = Assert.Throws<RdmaNetlinkException>(() => new NldevClient(t).SetNetnsMode(RdmaNetnsMode.Exclusive));
        Assert.Equal(Errno.EBUSY, e.Errno);
        Assert.Equal("rdma: cannot set the rdma netns mode to exclusive: device or resource busy; other network namespaces exist — set it at boot (options ib_core netns_mode=0)", e.Message);
    }

    [Fact]
    public void sys_set_shared_is_acknowledged()
    {
        var request = "18000000 0714 0500 01000000 00000000 0500 4200 01 000000";
        var t = new ReplayTransport((request, [Ack(1, "18000000 0714 0500 01000000 00000000")]));
        new NldevClient(t).SetNetnsMode(RdmaNetnsMode.Shared);
        Assert.True(t.Finished);
    }

    [Fact]
    public void device_move_and_its_undo()
    {
        var t = new ReplayTransport(
            (MoveRequest, [Ack(1, "20000000 0214 0500 01000000 00000000")]),
            (MoveBackRequest, [Ack(2, "20000000 0214 0500 02000000 00000000")]));
        var client = new NldevClient(t);
        client.MoveDevice(2, "mlx5_1", "mlx5_core", netnsFd: 7);
        client.MoveDevice(2, "mlx5_1", "mlx5_core", netnsFd: 9, destination: "the host network namespace");
        Assert.True(t.Finished);
    }

    [Fact]
    public void moving_rxe_is_refused_with_the_driver_explanation_in_exclusive_mode()
    {
        var t = new ReplayTransport(
            (MoveRxeRequest, [MoveRxeNotSupported]),
            (SysGetRequest(2), [SysGetReply(2, shared: false), Ack(2, "10000000 0614 0500 02000000 00000000")]));
        var e = Assert.Throws<RdmaNetlinkException>(() => new NldevClient(t).MoveDevice(1, "rxe0", "rxe", 7));
        Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
        Assert.Equal(
            "rdma: cannot move device rxe0 (driver rxe) into the container's network namespace: operation not supported; the driver cannot disassociate user contexts — use shared netns mode (rdma system set netns shared)",
            e.Message);
        Assert.True(t.Finished);
    }

    [Fact]
    public void moving_in_shared_mode_is_refused_with_the_mode_explanation()
    {
        var t = new ReplayTransport(
            (MoveRxeRequest, [MoveRxeNotSupported]),
            (SysGetRequest(2), [SysGetReply(2, shared: true), Ack(2, "10000000 0614 0500 02000000 00000000")]));
        var e = Assert.Throws<RdmaNetlinkException>(() => new NldevClient(t).MoveDevice(1, "rxe0", "rxe", 7));
        Assert.Equal(
            "rdma: cannot move device rxe0 (driver rxe) into the container's network namespace: operation not supported; the rdma subsystem is in shared netns mode, where devices cannot be moved — use exclusive mode (options ib_core netns_mode=0) or leave the device shared",
            e.Message);
    }

    [Fact]
    public void move_without_cap_net_admin_says_which_capability()
    {
        var eperm = "24000000 0200 0001 01000000 e8030000 ffffffff 20000000 0214 0500 01000000 00000000";
        var t = new ReplayTransport((MoveRequest, [eperm]));
        var e = Assert.Throws<RdmaNetlinkException>(() => new NldevClient(t).MoveDevice(2, "mlx5_1", "mlx5_core", 7));
        Assert.Equal(Errno.EPERM, e.Errno);
        Assert.Equal("rdma: cannot move device mlx5_1 (driver mlx5_core) into the container's network namespace: operation not permitted; moving an rdma device needs CAP_NET_ADMIN in the user namespace that owns the target network namespace", e.Message);
    }

    [Fact]
    public void replies_to_other_sequence_numbers_are_ignored()
    {
        var stale = Ack(7, "10000000 0614 0500 07000000 00000000").Replace("00000000 10000000", "a1ffffff 10000000");
        var t = new ReplayTransport((SysGetRequest(1), [stale, SysGetReply(1, true), Ack(1, "10000000 0614 0500 01000000 00000000")]));
        Assert.Equal(RdmaNetnsMode.Shared, new NldevClient(t).GetNetnsMode());
    }

    [Fact]
    public void a_dump_error_in_done_is_reported()
    {
        var doneWithError = "14000000 0300 0200 01000000 e8030000 edffffff"; // -ENODEV
        var t = new ReplayTransport((DeviceDumpRequest, [doneWithError]));
        var e = Assert.Throws<RdmaNetlinkException>(() => new NldevClient(t).GetDevices());
        Assert.Equal("rdma: cannot list rdma devices: no such device", e.Message);
    }

    [Fact]
    public void the_real_socket_opens_or_says_why_not()
    {
        // With ib_core loaded (kernel lab) this talks to the kernel; on a host without RDMA socket() fails.
        try
        {
            using var socket = NetlinkRdmaSocket.Open();
            var mode = new NldevClient(socket).GetNetnsMode();
            Assert.True(Enum.IsDefined(mode));
        }
        catch (RdmaNetlinkException e)
        {
            Assert.StartsWith("rdma: cannot open a NETLINK_RDMA socket (is ib_core loaded?): ", e.Message);
            Assert.Equal("rdma: cannot open a NETLINK_RDMA socket (is ib_core loaded?): " + Errno.Text(e.Errno), e.Message);
        }
    }
}
