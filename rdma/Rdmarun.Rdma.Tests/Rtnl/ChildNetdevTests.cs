using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Roce;
using Rdmarun.Rdma.Rtnl;
using static Rdmarun.Rdma.Tests.Rtnl.RtnlReplies;

namespace Rdmarun.Rdma.Tests.Rtnl;

/// <summary>The RoCE child over recorded sockets: refusals before any change, a failure deletes what was made.</summary>
public class ChildNetdevTests
{
    static string GetLink(int seq, string name)
    {
        var v = Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(name + "\0"));
        var attrLen = 4 + v.Length / 2;
        var pad = new string('0', ((4 - attrLen % 4) % 4) * 2);
        var total = 32 + ((attrLen + 3) & ~3);
        return $"{total:x2}000000 1200 0500 {seq:x2}000000 00000000 00 00 0000 00000000 00000000 00000000 {attrLen:x2}00 0300 {v}{pad}";
    }

    static readonly RoceChildRequest Macvlan = new("macvlan", 0, "eth0", "roce0", ["10.9.8.7/24"]);

    [Fact]
    public void an_absent_parent_is_refused_before_any_change()
    {
        var host = new RtnlReplay((GetLink(1, "eth0"), [Error(1, Errno.ENODEV)]));
        var e = Assert.Throws<RtnlException>(() => ChildNetdev.Plan(new RtnlClient(host), new RtnlClient(new RtnlReplay()), Macvlan, "eth0"));
        Assert.Equal("netdev: annotation org.rdmarun.rdma.netdev: the parent network device eth0 does not exist in the host network namespace", e.Message);
        Assert.True(host.Finished);
    }

    [Fact]
    public void a_name_taken_in_the_container_is_refused()
    {
        var host = new RtnlReplay((GetLink(1, "eth0"), [Link(1, 3, "eth0", up: true), Ack(1)]));
        var ctr = new RtnlReplay((GetLink(1, "roce0"), [Link(1, 2, "roce0", up: false, kind: "dummy"), Ack(1)]));
        var e = Assert.Throws<RtnlException>(() => ChildNetdev.Plan(new RtnlClient(host), new RtnlClient(ctr), Macvlan, "eth0"));
        Assert.Equal("netdev: annotation org.rdmarun.rdma.netdev: the name roce0 is taken in the container's network namespace", e.Message);
    }

    [Fact]
    public void the_plan_records_a_created_device_that_undo_deletes()
    {
        var host = new RtnlReplay((GetLink(1, "eth0"), [Link(1, 3, "eth0", up: true), Ack(1)]));
        var ctr = new RtnlReplay((GetLink(1, "roce0"), [Error(1, Errno.ENODEV)]));
        var (parent, rec) = ChildNetdev.Plan(new RtnlClient(host), new RtnlClient(ctr), Macvlan, "eth0");
        Assert.Equal((3, true, "eth0", "macvlan", "roce0"), (parent.Index, rec.Created, rec.Parent, rec.Kind, rec.ContainerName));
        Assert.Equal(["10.9.8.7/24"], rec.Addresses);
        // Undo of a created device: deleted in the container, never moved to the host.
        var del = "20000000 1100 0500 02000000 00000000 00 00 0000 09000000 00000000 00000000";
        var undo = new RtnlReplay((GetLink(1, "roce0"), [Link(1, 9, "roce0", up: true, kind: "macvlan"), Ack(1)]), (del, [Ack(2)]));
        NetDeviceMover.MoveBack(new RtnlClient(undo), new RtnlClient(new RtnlReplay()), [rec], 8);
        Assert.True(undo.Finished);
        // After the netns died nothing is waited for: it died with it.
        Assert.Empty(NetDeviceMover.RestoreReturned(new RtnlClient(new RtnlReplay()), [rec]));
    }

    [Fact]
    public void a_failure_after_the_creation_deletes_the_child()
    {
        var add = """
            58000000 1000 0506 01000000 00000000
            00 00 0000 00000000 00000000 00000000
            0a00 0300 726f636530 00 0000
            0800 0500 03000000
            0800 1c00 07000000
            1c00 1280
              0c00 0100 6d6163766c616e00
              0c00 0280
                0800 0100 04000000
            """;
        var addInside = """
            30000000 1400 0506 02000000 00000000   02 18 00 00 09000000
            0800 0200 0a090807 0800 0100 0a090807 0800 0400 0a0908ff
            """;
        var del = "20000000 1100 0500 04000000 00000000 00 00 0000 09000000 00000000 00000000";
        var host = new RtnlReplay((add, [Ack(1)]));
        var ctr = new RtnlReplay(
            (GetLink(1, "roce0"), [Link(1, 9, "roce0", up: false, kind: "macvlan"), Ack(1)]),
            (addInside, [Error(2, Errno.EACCES)]),
            (GetLink(3, "roce0"), [Link(3, 9, "roce0", up: false, kind: "macvlan"), Ack(3)]),
            (del, [Ack(4)]));
        var rec = new MovedNetDevice { HostName = "roce0", ContainerName = "roce0", Kind = "macvlan", Created = true, Addresses = ["10.9.8.7/24"] };
        var e = Assert.Throws<RtnlException>(() => ChildNetdev.Create(new RtnlClient(host), new RtnlClient(ctr), new RtnlLink(3, "eth0", 0x11043, null), Macvlan, rec, 7));
        Assert.Equal("netdev: cannot add address 10.9.8.7/24 to network device roce0: permission denied", e.Message);
        Assert.True(host.Finished && ctr.Finished);
    }
}
