using Rdmarun.Rdma.Qos;

namespace Rdmarun.Rdma.Tests.Qos;

/// <summary>The cap of a container in the host's netns: on its RDMA device's host netdev, only where the policy says.</summary>
public sealed class HostNetdevCapTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("hostcap-sys").FullName;

    public HostNetdevCapTests()
    {
        var ndevs = Path.Combine(_root, "sys/class/infiniband/rxe1/ports/1/gid_attrs/ndevs");
        Directory.CreateDirectory(ndevs);
        File.WriteAllText(Path.Combine(ndevs, "0"), "veth1\n");
        Directory.CreateDirectory(Path.Combine(_root, "sys/class/infiniband/mlx5_ib0/ports/1/gid_attrs/ndevs"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static RdmaPolicy Policy(string json) => RdmaPolicy.Parse(json, "/etc/rdmarun/rdma.json");
    static readonly RdmaQos Cap = new(16_000_000, null, null);

    [Fact]
    public void the_granted_devices_netdev_listed_in_the_policy_is_capped()
        => Assert.Equal(["veth1"], HostNetdevCap.Plan(Cap, true, Policy("""{"hostNetdevs": ["veth1"]}"""), ["rxe1"], _root));

    [Fact]
    public void a_netdev_not_in_hostNetdevs_is_refused_when_asked()
    {
        var e = Assert.Throws<RdmaQosException>(() => HostNetdevCap.Plan(Cap, true, Policy("""{"hostNetdevs": ["eth9"]}"""), ["rxe1"], _root));
        Assert.Equal("annotation org.rdmarun.rdma.rate: the container shares the host's network namespace, and the netdev veth1 of its RDMA device rxe1 is not in the policy's hostNetdevs [eth9] (/etc/rdmarun/rdma.json): a cap there would hold every user of veth1; give the container a network namespace and a netdev of its own, or list veth1 if rxe1 is this container's alone", e.Message);
    }

    [Fact]
    public void without_hostNetdevs_an_asked_rate_is_refused_and_the_default_rate_does_nothing()
    {
        Assert.Throws<RdmaQosException>(() => HostNetdevCap.Plan(Cap, true, Policy("{}"), ["rxe1"], _root));
        Assert.Empty(HostNetdevCap.Plan(Cap, false, Policy("""{"defaultRate": "16mbit"}"""), ["rxe1"], _root));
    }

    [Fact]
    public void the_default_rate_caps_a_listed_netdev()
        => Assert.Equal(["veth1"], HostNetdevCap.Plan(Cap, false, Policy("""{"hostNetdevs": ["veth1"], "defaultRate": "16mbit"}"""), ["rxe1"], _root));

    [Fact]
    public void an_infiniband_device_has_no_netdev_to_cap()
    {
        var e = Assert.Throws<RdmaQosException>(() => HostNetdevCap.Plan(Cap, true, Policy("""{"hostNetdevs": ["veth1"]}"""), ["mlx5_ib0"], _root));
        Assert.StartsWith("annotation org.rdmarun.rdma.rate: RDMA device mlx5_ib0 has no netdev (", e.Message);
        Assert.EndsWith("unreadable: InfiniBand): nothing on this host can cap an InfiniBand port's RDMA traffic", e.Message);
    }

    [Fact]
    public void a_rate_without_a_granted_device_is_refused()
    {
        var e = Assert.Throws<RdmaQosException>(() => HostNetdevCap.Plan(Cap, true, Policy("""{"hostNetdevs": ["veth1"]}"""), [], _root));
        Assert.Equal("annotation org.rdmarun.rdma.rate: the container shares the host's network namespace and is granted no RDMA device: there is no netdev of its own to cap", e.Message);
    }

    [Fact]
    public void vlan_and_min_rate_need_a_vf_in_a_netns_of_its_own()
    {
        var p = Policy("""{"hostNetdevs": ["veth1"]}""");
        Assert.Contains("a VLAN with a priority is set on an SR-IOV VF", Assert.Throws<RdmaQosException>(() => HostNetdevCap.Plan(new RdmaQos(null, 100, 3), true, p, ["rxe1"], _root)).Message);
        Assert.Contains("a guaranteed minimum rate is set on an SR-IOV VF", Assert.Throws<RdmaQosException>(() => HostNetdevCap.Plan(new RdmaQos(Cap.MaxRate, null, null, 1_000_000), true, p, ["rxe1"], _root)).Message);
    }

    [Fact]
    public void no_rate_no_cap() => Assert.Empty(HostNetdevCap.Plan(new RdmaQos(null, null, null), false, Policy("""{"hostNetdevs": ["veth1"]}"""), ["rxe1"], _root));

    [Fact]
    public void each_container_has_its_own_handle_below_the_kernels_automatic_ones()
    {
        foreach (var id in new[] { "a", "job-17", "hn-cap", "" })
        {
            var h = HostNetdevCap.HandleFor(id);
            Assert.Equal(0u, h & 0xffff);
            Assert.InRange(h >> 16, 0x1000u, 0x7fffu);
            Assert.Equal(h, HostNetdevCap.HandleFor(id));
        }
        Assert.NotEqual(HostNetdevCap.HandleFor("hn-cap"), HostNetdevCap.HandleFor("hn-free"));
    }
}
