using Rdmarun.Rdma.Ipoib;
using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Rtnl;
using Rdmarun.Rdma.Tests.Rtnl;
using static Rdmarun.Rdma.Tests.Rtnl.RtnlReplies;
using static Rdmarun.Rdma.Tests.Ipoib.IpoibWire;

namespace Rdmarun.Rdma.Tests.Ipoib;

/// <summary>
/// IPoIB children per allowed P_Key: which ones (from the grant and sysfs), every refusal, and the rtnetlink bytes
/// of the whole create and its undo over recorded sockets.
/// </summary>
public class IpoibChildrenTests
{
    static IReadOnlyList<(RdmaDevice, IReadOnlyList<ushort>?)> Granted(SysfsFixture f, string name, params ushort[]? keys)
        => [(new SysfsRdmaDiscovery(f.Root).Discover().Find(name)!, keys)];

    static readonly IpoibChild[] Two = [new("mlx4_1", 1, "ib1", 0x8001, "ib1.8001"), new("mlx4_1", 1, "ib1", 0x0002, "ib1.8002")];

    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void the_annotation_is_an_opt_in(string? value, bool asked)
    {
        var a = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [IpoibChildren.Annotation] = value };
        Assert.Equal(asked, IpoibChildren.Asked(a));
    }

    [Fact]
    public void an_annotation_that_is_not_a_boolean_is_refused()
    {
        var e = Assert.Throws<IpoibException>(() => IpoibChildren.Asked(new Dictionary<string, string> { [IpoibChildren.Annotation] = "yes" }));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: \"yes\" is not true or false", e.Message);
    }

    [Fact]
    public void one_child_per_allowed_key_on_the_ports_ipoib_netdev_named_as_the_kernel_names_them()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var c = IpoibChildren.Plan(Granted(f, "mlx4_1", 0x8001, 0x0002), f.Root);
        Assert.Equal(Two, c);
    }

    [Fact]
    public void a_device_netdev_without_dev_port_and_type_files_is_taken_when_it_is_the_only_one()
    {
        using var f = SysfsFixture.HpcHost();
        var c = IpoibChildren.Plan(Granted(f, "mlx5_0", 0x8001), f.Root);
        Assert.Equal([new IpoibChild("mlx5_0", 1, "ib0", 0x8001, "ib0.8001")], c);
    }

    [Fact]
    public void a_netdev_of_another_port_or_not_infiniband_is_not_a_parent()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        f.File("sys/devices/pci0000:00/0000:05:00.1/net/ib1/dev_port", "1");
        var e = Assert.Throws<IpoibException>(() => IpoibChildren.Plan(Granted(f, "mlx4_1", 0x8001), f.Root));
        Assert.Equal($"annotation org.rdmarun.rdma.ipoib: device mlx4_1 port 1 has no IPoIB network device (none in {f.Root}/sys/class/infiniband/mlx4_1/device/net with dev_port 0; is ib_ipoib loaded?)", e.Message);
    }

    [Fact]
    public void nothing_granted_is_refused()
    {
        var e = Assert.Throws<IpoibException>(() => IpoibChildren.Plan([]));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: no RDMA device is granted to make IPoIB devices on", e.Message);
    }

    [Fact]
    public void a_grant_without_an_infiniband_port_is_refused()
    {
        using var f = SysfsFixture.RxeLab();
        var e = Assert.Throws<IpoibException>(() => IpoibChildren.Plan(Granted(f, "rxe0", 0x8001), f.Root));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: none of the granted devices (rxe0) has an InfiniBand port; IPoIB needs one (a RoCE port's netdev child is org.rdmarun.rdma.netdev)", e.Message);
    }

    [Fact]
    public void an_unrestricted_device_has_no_keys_to_make_children_for()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var e = Assert.Throws<IpoibException>(() => IpoibChildren.Plan(Granted(f, "mlx4_1", null), f.Root));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: device mlx4_1 has no p_key allowance (org.rdmarun.rdma.pkeys, RDMA_PKEYS or the policy's pkeys for it): rdmarun makes one IPoIB device per allowed p_key", e.Message);
    }

    [Fact]
    public void a_name_over_fifteen_bytes_is_refused()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        f.File("sys/devices/pci0000:00/0000:05:00.1/net/ibp5s0f1vf0/type", "32");
        Directory.Delete(f.PathOf("sys/devices/pci0000:00/0000:05:00.1/net/ib1"), recursive: true);
        var e = Assert.Throws<IpoibException>(() => IpoibChildren.Plan(Granted(f, "mlx4_1", 0x8001), f.Root));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: the IPoIB device for p_key 0x8001 on ibp5s0f1vf0 would be named ibp5s0f1vf0.8001, longer than the kernel's 15 bytes", e.Message);
    }

    [Fact]
    public void create_and_undo_byte_for_byte()
    {
        var host = new RtnlReplay(
            (GetLink(1, "ib1"), [Link(1, 4, "ib1", up: true), Ack(1)]),
            (Add(2, "ib1.8001", "0180"), [Ack(2)]),
            (Add(3, "ib1.8002", "0200"), [Ack(3)]));
        var ctr = new RtnlReplay(
            (GetLink(1, "ib1.8001"), [Error(1, Errno.ENODEV)]),
            (GetLink(2, "ib1.8002"), [Error(2, Errno.ENODEV)]),
            (GetLink(3, "ib1.8001"), [Link(3, 9, "ib1.8001", up: false, kind: "ipoib"), Ack(3)]),
            (Up(4, 9), [Ack(4)]),
            (GetLink(5, "ib1.8002"), [Link(5, 10, "ib1.8002", up: false, kind: "ipoib"), Ack(5)]),
            (Up(6, 10), [Ack(6)]));
        var (h, c) = (new RtnlClient(host), new RtnlClient(ctr));
        var plan = IpoibChildNetdev.Plan(h, c, Two);
        var saved = new List<string>();
        IpoibChildNetdev.Create(h, c, plan, 7, rec => saved.Add(rec.ContainerName));
        Assert.True(host.Finished && ctr.Finished);
        Assert.Equal(["ib1.8001", "ib1.8002"], saved);
        var records = plan.Select(p => p.Record).ToList();
        Assert.Equal([(9, "ipoib", true, "ib1"), (10, "ipoib", true, "ib1")], records.Select(r => (r.HostIndex, r.Kind, r.Created, r.Parent)));

        // Undo (create failed later, or the netns was named by path): deleted in the container, last first.
        var undo = new RtnlReplay(
            (GetLink(1, "ib1.8002"), [Link(1, 10, "ib1.8002", up: true, kind: "ipoib"), Ack(1)]),
            (Del(2, 10), [Ack(2)]),
            (GetLink(3, "ib1.8001"), [Link(3, 9, "ib1.8001", up: true, kind: "ipoib"), Ack(3)]),
            (Del(4, 9), [Ack(4)]));
        NetDeviceMover.MoveBack(new RtnlClient(undo), new RtnlClient(new RtnlReplay()), records, 8);
        Assert.True(undo.Finished);
        // The container's own netns died: they died with it, nothing is waited for on the host.
        Assert.Empty(NetDeviceMover.RestoreReturned(new RtnlClient(new RtnlReplay()), records));
    }

    [Fact]
    public void an_absent_parent_is_refused_before_any_change()
    {
        var host = new RtnlReplay((GetLink(1, "ib1"), [Error(1, Errno.ENODEV)]));
        var e = Assert.Throws<RtnlException>(() => IpoibChildNetdev.Plan(new RtnlClient(host), new RtnlClient(new RtnlReplay()), Two));
        Assert.Equal("netdev: annotation org.rdmarun.rdma.ipoib: the IPoIB device ib1 of mlx4_1 port 1 does not exist in the host network namespace", e.Message);
        Assert.True(host.Finished);
    }

    [Fact]
    public void a_name_taken_in_the_container_is_refused_before_any_change()
    {
        var host = new RtnlReplay((GetLink(1, "ib1"), [Link(1, 4, "ib1", up: true), Ack(1)]));
        var ctr = new RtnlReplay((GetLink(1, "ib1.8001"), [Link(1, 2, "ib1.8001", up: false, kind: "dummy"), Ack(1)]));
        var e = Assert.Throws<RtnlException>(() => IpoibChildNetdev.Plan(new RtnlClient(host), new RtnlClient(ctr), Two));
        Assert.Equal("netdev: annotation org.rdmarun.rdma.ipoib: the name ib1.8001 is taken in the container's network namespace", e.Message);
        Assert.True(host.Finished && ctr.Finished);
    }

    [Fact]
    public void a_child_the_kernel_refuses_deletes_the_ones_made_before_it()
    {
        var host = new RtnlReplay(
            (Add(1, "ib1.8001", "0180"), [Ack(1)]),
            (Add(2, "ib1.8002", "0200"), [Error(2, Errno.EOPNOTSUPP)]));
        var ctr = new RtnlReplay(
            (GetLink(1, "ib1.8001"), [Link(1, 9, "ib1.8001", up: false, kind: "ipoib"), Ack(1)]),
            (Up(2, 9), [Ack(2)]),
            (GetLink(3, "ib1.8001"), [Link(3, 9, "ib1.8001", up: true, kind: "ipoib"), Ack(3)]),
            (Del(4, 9), [Ack(4)]));
        var parent = new RtnlLink(4, "ib1", 0x11043, null);
        var plan = Two.Select(c => (parent, c, new MovedNetDevice { HostName = c.Name, ContainerName = c.Name, Kind = "ipoib", Created = true, Parent = "ib1" })).ToList();
        var e = Assert.Throws<RtnlException>(() => IpoibChildNetdev.Create(new RtnlClient(host), new RtnlClient(ctr), plan, 7));
        Assert.Equal("netdev: cannot create ipoib device ib1.8002 for p_key 0x0002 on ib1 in the container's network namespace: operation not supported", e.Message);
        Assert.True(host.Finished && ctr.Finished);
    }
}
