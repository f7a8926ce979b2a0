using Rdmarun.Rdma.Roce;

namespace Rdmarun.Rdma.Tests.Roce;

public class RoceChildRequestTests
{
    const string Src = "/etc/rdmarun/rdma.json";
    static RdmaPolicy Policy(string json) => RdmaPolicy.Parse(json, Src);
    static readonly RdmaPolicy Allows = Policy("""{"netdevChildren": ["macvlan", "vlan"], "netdevLinks": ["eth0"]}""");
    static Dictionary<string, string> A(params (string K, string V)[] kv) => kv.ToDictionary(p => p.K, p => p.V);
    static string Refusal(RdmaPolicy p, params (string K, string V)[] kv) => Assert.Throws<RoceChildException>(() => RoceChildRequest.Parse(A(kv), p)).Message;

    [Fact]
    public void nothing_asked_no_child() => Assert.Null(RoceChildRequest.Parse(A(), RdmaPolicy.Default()));

    [Fact]
    public void macvlan_with_name_addresses_and_explicit_link()
    {
        var r = RoceChildRequest.Parse(A((RoceChildRequest.KindAnnotation, "macvlan"), (RoceChildRequest.LinkAnnotation, "eth0"),
            (RoceChildRequest.NameAnnotation, "net1"), (RoceChildRequest.AddressesAnnotation, "10.0.0.5/24, fd00::5/64")), Allows)!;
        Assert.Equal(("macvlan", (ushort)0, "eth0", "net1"), (r.Kind, r.VlanId, r.Link, r.Name));
        Assert.Equal(["10.0.0.5/24", "fd00::5/64"], r.Addresses);
    }

    [Fact]
    public void vlan_with_its_id_and_the_default_name()
    {
        var r = RoceChildRequest.Parse(A((RoceChildRequest.KindAnnotation, "vlan:100")), Allows)!;
        Assert.Equal(("vlan", (ushort)100, null as string, "roce0"), (r.Kind, r.VlanId, r.Link, r.Name));
    }

    [Theory]
    [InlineData("bridge")]
    [InlineData("vlan")]
    [InlineData("vlan:0")]
    [InlineData("vlan:4095")]
    [InlineData("macvlan:5")]
    [InlineData("vlan:1:2")]
    public void bad_kinds_are_refused(string kind)
        => Assert.Equal($"annotation org.rdmarun.rdma.netdev: \"{kind}\" is not macvlan, ipvlan or vlan:ID with an id 1-4094", Refusal(Allows, (RoceChildRequest.KindAnnotation, kind)));

    [Fact]
    public void a_kind_the_policy_does_not_list_is_refused()
    {
        Assert.Equal($"annotation org.rdmarun.rdma.netdev=ipvlan: the policy does not allow ipvlan devices for containers (netdevChildren: [macvlan, vlan], {Src})",
            Refusal(Allows, (RoceChildRequest.KindAnnotation, "ipvlan")));
        Assert.Equal("annotation org.rdmarun.rdma.netdev=macvlan: the policy does not allow macvlan devices for containers (netdevChildren: [], /etc/rdmarun/rdma.json (absent: built-in defaults))",
            Refusal(RdmaPolicy.Default(), (RoceChildRequest.KindAnnotation, "macvlan")));
    }

    [Fact]
    public void a_link_the_policy_does_not_list_is_refused()
        => Assert.Equal($"annotation org.rdmarun.rdma.netdev.link=eth1: the policy does not list eth1 as a parent for container devices (netdevLinks: [eth0], {Src}); without this annotation the parent is the granted RDMA device's netdev",
            Refusal(Allows, (RoceChildRequest.KindAnnotation, "macvlan"), (RoceChildRequest.LinkAnnotation, "eth1")));

    [Theory]
    [InlineData("a-name-longer-than-15")]
    [InlineData("net/1")]
    [InlineData("net 1")]
    [InlineData("")]
    public void bad_names_are_refused(string name)
        => Assert.Equal($"annotation org.rdmarun.rdma.netdev.name: \"{name}\" is not a network device name (1-15 bytes, no '/', ':' or blanks)",
            Refusal(Allows, (RoceChildRequest.KindAnnotation, "macvlan"), (RoceChildRequest.NameAnnotation, name)));

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("10.0.0.5/33")]
    [InlineData("host/24")]
    public void bad_addresses_are_refused(string a)
        => Assert.Equal($"annotation org.rdmarun.rdma.netdev.addresses: \"{a}\" is not an address with a prefix length (e.g. 10.0.0.5/24, fd00::5/64)",
            Refusal(Allows, (RoceChildRequest.KindAnnotation, "macvlan"), (RoceChildRequest.AddressesAnnotation, a)));

    [Fact]
    public void details_without_the_kind_are_refused()
        => Assert.Equal("annotation org.rdmarun.rdma.netdev.addresses: it describes the device org.rdmarun.rdma.netdev asks for, and org.rdmarun.rdma.netdev is not set",
            Refusal(Allows, (RoceChildRequest.AddressesAnnotation, "10.0.0.5/24")));

    [Fact]
    public void a_policy_with_an_unknown_kind_is_refused()
        => Assert.Equal($"rdma: policy {Src}: $.netdevChildren: \"bridge\" is not macvlan, ipvlan or vlan",
            Assert.Throws<RdmaPolicyException>(() => Policy("""{"netdevChildren": ["bridge"]}""")).Message);

    [Fact]
    public void the_parent_is_the_granted_roce_devices_netdev()
    {
        var root = Directory.CreateTempSubdirectory("roce-sys").FullName;
        try
        {
            var ndevs = Path.Combine(root, "sys/class/infiniband/mlx5_2/ports/1/gid_attrs/ndevs");
            Directory.CreateDirectory(ndevs);
            File.WriteAllText(Path.Combine(ndevs, "0"), "ens1f0v2\n");
            Directory.CreateDirectory(Path.Combine(root, "sys/class/infiniband/mlx5_ib0/ports/1/gid_attrs/ndevs"));
            var r = RoceChildRequest.Parse(A((RoceChildRequest.KindAnnotation, "macvlan")), Allows)!;
            Assert.Equal("ens1f0v2", r.ResolveLink(["mlx5_2"], root));
            Assert.Equal("annotation org.rdmarun.rdma.netdev: RDMA device mlx5_ib0 has no netdev (not RoCE: " + root + "/sys/class/infiniband/mlx5_ib0/ports/1/gid_attrs/ndevs/0 unreadable): an InfiniBand port has no Ethernet device to make a child of",
                Assert.Throws<RoceChildException>(() => r.ResolveLink(["mlx5_ib0"], root)).Message);
            Assert.Equal("annotation org.rdmarun.rdma.netdev: the parent is the granted RDMA device's netdev, and 2 are granted (mlx5_2, mlx5_3): grant one or name the parent with org.rdmarun.rdma.netdev.link",
                Assert.Throws<RoceChildException>(() => r.ResolveLink(["mlx5_2", "mlx5_3"], root)).Message);
            Assert.Equal("annotation org.rdmarun.rdma.netdev: the parent is the granted RDMA device's netdev, and no device is granted: grant one or name the parent with org.rdmarun.rdma.netdev.link",
                Assert.Throws<RoceChildException>(() => r.ResolveLink([], root)).Message);
            // A named link wins over the device's.
            Assert.Equal("eth0", (r with { Link = "eth0" }).ResolveLink(["mlx5_2"], root));
        }
        finally { Directory.Delete(root, true); }
    }
}
