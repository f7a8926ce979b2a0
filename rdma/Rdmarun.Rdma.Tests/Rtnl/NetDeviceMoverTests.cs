using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Rtnl;
using static Rdmarun.Rdma.Tests.Rtnl.RtnlReplies;

namespace Rdmarun.Rdma.Tests.Rtnl;

/// <summary>Plan/move/undo/return over two recorded sockets: one in the host netns, one in the container's.</summary>
public class NetDeviceMoverTests
{
    static string GetLink(int seq, string name)
    {
        var v = Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(name + "\0"));
        var attrLen = 4 + v.Length / 2;
        var pad = new string('0', ((4 - attrLen % 4) % 4) * 2);
        var total = 32 + ((attrLen + 3) & ~3);
        return $"{total:x2}000000 1200 0500 {seq:x2}000000 00000000 00 00 0000 00000000 00000000 00000000 {attrLen:x2}00 0300 {v}{pad}";
    }

    static string AddrDump(int seq) => $"18000000 1600 0503 {seq:x2}000000 00000000 00 00 00 00 00000000";

    static readonly NetDeviceRequest[] Eth9AsNet0 = [new("eth9", "net0")];

    [Fact]
    public void a_device_missing_on_the_host_is_refused_before_any_change()
    {
        var host = new RtnlReplay((GetLink(1, "eth9"), [Error(1, Errno.ENODEV)]));
        var e = Assert.Throws<RtnlException>(() => NetDeviceMover.Plan(new RtnlClient(host), new RtnlClient(new RtnlReplay()), Eth9AsNet0));
        Assert.Equal("netdev: linux.netDevices.eth9: network device eth9 does not exist in the host network namespace", e.Message);
        Assert.True(host.Finished);
    }

    [Fact]
    public void a_name_taken_in_the_container_is_refused()
    {
        var host = new RtnlReplay((GetLink(1, "eth9"), [Link(1, 4, "eth9", up: true), Ack(1)]));
        var ctr = new RtnlReplay((GetLink(1, "net0"), [Link(1, 2, "net0", up: false, kind: "dummy"), Ack(1)]));
        var e = Assert.Throws<RtnlException>(() => NetDeviceMover.Plan(new RtnlClient(host), new RtnlClient(ctr), Eth9AsNet0));
        Assert.Equal("netdev: linux.netDevices.eth9: the name net0 is taken in the container's network namespace", e.Message);
    }

    [Fact]
    public void the_loopback_is_refused()
    {
        var lo = Message(0x10, 0, 1, "00 00 0403 01000000 49000100 00000000 0700 0300 6c6f0000");
        var host = new RtnlReplay((GetLink(1, "lo"), [lo, Ack(1)]));
        var e = Assert.Throws<RtnlException>(() => NetDeviceMover.Plan(new RtnlClient(host), new RtnlClient(new RtnlReplay()), [new("lo", "lo")]));
        Assert.Equal("netdev: linux.netDevices.lo: lo is a loopback device, which belongs to its network namespace", e.Message);
    }

    [Fact]
    public void plan_keeps_what_the_move_must_restore()
    {
        var host = new RtnlReplay(
            (GetLink(1, "eth9"), [Link(1, 4, "eth9", up: true), Ack(1)]),
            (AddrDump(2), [Addr4(2, 4, "0a090807", 24) + Addr4(2, 5, "0a000001", 8), Done(2)]));
        var ctr = new RtnlReplay((GetLink(1, "net0"), [Error(1, Errno.ENODEV)]));
        var plan = NetDeviceMover.Plan(new RtnlClient(host), new RtnlClient(ctr), Eth9AsNet0);
        var rec = Assert.Single(plan).Record;
        Assert.Equal(("eth9", "net0", null, true, "10.9.8.7/24", 4), (rec.HostName, rec.ContainerName, rec.Kind, rec.WasUp, Assert.Single(rec.Addresses), rec.HostIndex));
        Assert.True(host.Finished && ctr.Finished);
    }

    const string MoveEth9 = """
        34000000 1000 0500 03000000 00000000   00 00 0000 04000000 00000000 00000000
        0800 1c00 09000000   0900 0300 6e65743000 000000   # into fd 9 as net0
        """;
    const string AddInside = """
        30000000 1400 0506 02000000 00000000   02 18 00 00 0c000000
        0800 0200 0a090807 0800 0100 0a090807 0800 0400 0a0908ff
        """;
    const string UpInside = "20000000 1000 0500 03000000 00000000 00 00 0000 0c000000 01000000 01000000";

    [Fact]
    public void move_renames_restores_addresses_and_brings_the_device_up()
    {
        var eth9 = new RtnlLink(4, "eth9", 0x11043, null);
        var rec = new MovedNetDevice { HostName = "eth9", ContainerName = "net0", WasUp = true, Addresses = ["10.9.8.7/24"] };
        var host = new RtnlReplay((MoveEth9, [Ack(3)]));
        var ctr = new RtnlReplay(
            (GetLink(1, "net0"), [Link(1, 12, "net0", up: false), Ack(1)]),
            (AddInside, [Ack(2)]),
            (UpInside, [Ack(3)]));
        var told = new List<string>();
        NetDeviceMover.Move(new RtnlClient(host, 3), new RtnlClient(ctr), [(eth9, rec)], 9, 8, r => told.Add(r.HostName));
        Assert.Equal(["eth9"], told);
        Assert.True(host.Finished && ctr.Finished);
    }

    [Fact]
    public void a_failure_after_the_move_brings_the_device_back_as_it_was()
    {
        var eth9 = new RtnlLink(4, "eth9", 0x11043, null);
        var rec = new MovedNetDevice { HostName = "eth9", ContainerName = "net0", WasUp = true, Addresses = ["10.9.8.7/24"] };
        var back = """
            34000000 1000 0500 04000000 00000000   00 00 0000 0c000000 00000000 00000000
            0800 1c00 08000000   0900 0300 6574683900 000000   # into the host netns (fd 8) as eth9
            """;
        var addOnHost = """
            30000000 1400 0506 06000000 00000000   02 18 00 00 04000000
            0800 0200 0a090807 0800 0100 0a090807 0800 0400 0a0908ff
            """;
        var upOnHost = "20000000 1000 0500 07000000 00000000 00 00 0000 04000000 01000000 01000000";
        var host = new RtnlReplay(
            (MoveEth9, [Ack(3)]),
            (GetLink(4, "eth9"), [Link(4, 4, "eth9", up: false), Ack(4)]),
            (AddrDump(5), [Done(5)]),
            (addOnHost, [Ack(6)]),
            (upOnHost, [Ack(7)]));
        var ctr = new RtnlReplay(
            (GetLink(1, "net0"), [Link(1, 12, "net0", up: false), Ack(1)]),
            (AddInside, [Error(2, Errno.EACCES)]),
            (GetLink(3, "net0"), [Link(3, 12, "net0", up: false), Ack(3)]),
            (back, [Ack(4)]));
        var e = Assert.Throws<RtnlException>(() => NetDeviceMover.Move(new RtnlClient(host, 3), new RtnlClient(ctr), [(eth9, rec)], 9, 8));
        Assert.Equal("netdev: cannot add address 10.9.8.7/24 to network device net0: permission denied", e.Message);
        Assert.True(host.Finished && ctr.Finished);
    }

    static string GetIndex(int seq, int index) => $"20000000 1200 0500 {seq:x2}000000 00000000 00 00 0000 {index:x2}000000 00000000 00000000";

    [Fact]
    public void after_the_netns_died_a_physical_device_gets_its_host_name_back_and_a_virtual_one_is_not_waited_for()
    {
        var devices = new[]
        {
            new MovedNetDevice { HostName = "eth9", ContainerName = "net0", HostIndex = 4, Mac = "52:54:00:12:34:56", Addresses = ["10.9.8.7/24"] },
            new MovedNetDevice { HostName = "veth1", ContainerName = "net1", Kind = "veth" },
        };
        var rename = "2c000000 1000 0500 02000000 00000000 00 00 0000 04000000 00000000 00000000 0900 0300 6574683900 000000";
        var addOnHost = """
            30000000 1400 0506 04000000 00000000   02 18 00 00 04000000
            0800 0200 0a090807 0800 0100 0a090807 0800 0400 0a0908ff
            """;
        var host = new RtnlReplay(
            (GetIndex(1, 4), [Link(1, 4, "net0", up: false, mac: "52:54:00:12:34:56"), Ack(1)]),
            (rename, [Ack(2)]),
            (AddrDump(3), [Done(3)]),
            (addOnHost, [Ack(4)]));
        Assert.Empty(NetDeviceMover.RestoreReturned(new RtnlClient(host), devices));
        Assert.True(host.Finished);
    }

    [Fact]
    public void a_host_device_that_only_shares_the_index_is_not_taken_for_the_returned_one()
    {
        var devices = new[] { new MovedNetDevice { HostName = "eth9", ContainerName = "eth0", HostIndex = 4, Mac = "52:54:00:12:34:56" } };
        var host = new RtnlReplay((GetIndex(1, 4), [Link(1, 4, "eth0", up: true, mac: "02:fc:00:00:00:01"), Ack(1)]));
        Assert.Equal("eth9", Assert.Single(NetDeviceMover.RestoreReturned(new RtnlClient(host), devices)).HostName);
        Assert.True(host.Finished);
    }

    [Fact]
    public void a_physical_device_not_back_yet_is_reported_missing()
    {
        var devices = new[] { new MovedNetDevice { HostName = "eth9", ContainerName = "net0", HostIndex = 4, Mac = "52:54:00:12:34:56" } };
        var host = new RtnlReplay((GetIndex(1, 4), [Error(1, Errno.ENODEV)]));
        Assert.Equal("eth9", Assert.Single(NetDeviceMover.RestoreReturned(new RtnlClient(host), devices)).HostName);
    }
}
