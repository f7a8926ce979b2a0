using Rdmarun.Rdma.Qos;

namespace Rdmarun.Rdma.Tests.Qos;

public class RdmaQosTests
{
    static RdmaPolicy Policy(string json) => RdmaPolicy.Parse(json, "/etc/rdmarun/rdma.json");
    static Dictionary<string, string> A(params (string K, string V)[] kv) => kv.ToDictionary(p => p.K, p => p.V);

    [Theory]
    [InlineData("100mbit", 100_000_000UL)]
    [InlineData("2.5gbit", 2_500_000_000UL)]
    [InlineData("800kbit", 800_000UL)]
    [InlineData("12345", 12_345UL)]
    [InlineData(" 8MBit ", 8_000_000UL)]
    public void rates_read_like_tc(string text, ulong bits)
    {
        Assert.True(Rate.TryParse(text, out var v));
        Assert.Equal(bits, v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("0mbit")]
    [InlineData("-5mbit")]
    [InlineData("10mb")]
    [InlineData("1e3mbit")]
    public void bad_rates_are_refused(string text) => Assert.False(Rate.TryParse(text, out _));

    [Fact]
    public void rates_print_in_their_shortest_exact_form()
        => Assert.Equal(["10mbit", "2500mbit", "1gbit", "1500bit"], new ulong[] { 10_000_000, 2_500_000_000, 1_000_000_000, 1500 }.Select(Rate.Format));

    [Fact]
    public void nothing_asked_nothing_set()
        => Assert.True(RdmaQos.Parse(null, RdmaPolicy.Default()).IsEmpty);

    [Fact]
    public void rate_and_vlan_with_priority()
        => Assert.Equal(new RdmaQos(100_000_000, 100, 5), RdmaQos.Parse(A((RdmaQos.RateAnnotation, "100mbit"), (RdmaQos.VlanAnnotation, "100:5")), RdmaPolicy.Default()));

    [Fact]
    public void the_policy_caps_the_rate_and_supplies_a_default()
    {
        var p = Policy("""{ "maxRate": "1gbit", "defaultRate": "200mbit" }""");
        Assert.Equal(200_000_000UL, RdmaQos.Parse(null, p).MaxRate);
        Assert.Equal(500_000_000UL, RdmaQos.Parse(A((RdmaQos.RateAnnotation, "500mbit")), p).MaxRate);
        var e = Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.RateAnnotation, "2gbit")), p));
        Assert.Equal("annotation org.rdmarun.rdma.rate: 2gbit is above the policy's maxRate 1gbit (/etc/rdmarun/rdma.json)", e.Message);
    }

    [Fact]
    public void a_bad_rate_names_the_annotation()
    {
        var e = Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.RateAnnotation, "fast")), RdmaPolicy.Default()));
        Assert.Equal("annotation org.rdmarun.rdma.rate: \"fast\" is not a rate (e.g. 100mbit, 2.5gbit, 800kbit)", e.Message);
    }

    [Theory]
    [InlineData("0", "annotation org.rdmarun.rdma.vlan: \"0\" is not VLAN[:PRIORITY] with a VLAN id 1-4094 (e.g. 100 or 100:5)")]
    [InlineData("4095", "annotation org.rdmarun.rdma.vlan: \"4095\" is not VLAN[:PRIORITY] with a VLAN id 1-4094 (e.g. 100 or 100:5)")]
    [InlineData("100:8", "annotation org.rdmarun.rdma.vlan: priority \"8\" is not 0-7 (802.1p PCP)")]
    [InlineData("100:5:1", "annotation org.rdmarun.rdma.vlan: \"100:5:1\" is not VLAN[:PRIORITY] with a VLAN id 1-4094 (e.g. 100 or 100:5)")]
    [InlineData("200", "annotation org.rdmarun.rdma.vlan: VLAN 200 is not in the policy's vlans [100, 101] (/etc/rdmarun/rdma.json)")]
    [InlineData("100:6", "annotation org.rdmarun.rdma.vlan: priority 6 is above the policy's maxPriority 4 (/etc/rdmarun/rdma.json)")]
    public void vlan_refusals(string value, string message)
    {
        var p = Policy("""{ "vlans": [100, 101], "maxPriority": 4 }""");
        Assert.Equal(message, Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.VlanAnnotation, value)), p)).Message);
    }

    [Fact]
    public void an_infiniband_service_level_is_refused_with_the_reason()
    {
        var e = Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.SlAnnotation, "3")), RdmaPolicy.Default()));
        Assert.StartsWith("annotation org.rdmarun.rdma.sl=3: an InfiniBand service level cannot be set for a container: the SL of a connection comes from the subnet manager's path record", e.Message);
    }

    [Theory]
    [InlineData("""{ "maxRate": "fast" }""", "rdma: policy p: $.maxRate: \"fast\" is not a rate (e.g. 10gbit, 500mbit)")]
    [InlineData("""{ "maxRate": "1gbit", "defaultRate": "2gbit" }""", "rdma: policy p: $.defaultRate 2gbit is above $.maxRate 1gbit")]
    [InlineData("""{ "maxPriority": 9 }""", "rdma: policy p: $.maxPriority: 9 is not 0-7")]
    public void policy_qos_keys_are_checked(string json, string message)
        => Assert.Equal(message, Assert.Throws<RdmaPolicyException>(() => RdmaPolicy.Parse(json, "p")).Message);

    [Fact]
    public void a_minimum_rate_is_read_and_bounded_by_the_maximum_and_the_policy()
    {
        var q = RdmaQos.Parse(A((RdmaQos.MinRateAnnotation, "200mbit"), (RdmaQos.RateAnnotation, "1gbit")), RdmaPolicy.Default());
        Assert.Equal((200_000_000UL, 1_000_000_000UL), (q.MinRate, q.MaxRate));
        Assert.False(RdmaQos.Parse(A((RdmaQos.MinRateAnnotation, "1mbit")), RdmaPolicy.Default()).IsEmpty);
        Assert.Equal("annotation org.rdmarun.rdma.minrate: 2gbit is above the container's maximum rate 1gbit",
            Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.MinRateAnnotation, "2gbit"), (RdmaQos.RateAnnotation, "1gbit")), RdmaPolicy.Default())).Message);
        Assert.Equal("annotation org.rdmarun.rdma.minrate: \"lots\" is not a rate (e.g. 100mbit, 2.5gbit, 800kbit)",
            Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.MinRateAnnotation, "lots")), RdmaPolicy.Default())).Message);
        // A policy with maxRate and no defaultRate: the minimum still may not exceed the cap.
        Assert.Equal("annotation org.rdmarun.rdma.minrate: 20gbit is above the policy's maxRate 10gbit (/etc/rdmarun/rdma.json)",
            Assert.Throws<RdmaQosException>(() => RdmaQos.Parse(A((RdmaQos.MinRateAnnotation, "20gbit")), Policy("""{"maxRate": "10gbit"}"""))).Message);
    }
}

/// <summary>A sysfs tree with one PF (ens1f0, 0000:3b:00.0) and two VFs, as mlx5 lays it out.</summary>
public sealed class SriovVfLocatorTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rdmarun-sriov-").FullName;

    public SriovVfLocatorTests()
    {
        var pci = Path.Combine(_root, "devices/pci0000:3a/0000:3a:00.0");
        Dev("0000:3b:00.0", "ens1f0");
        Dev("0000:3b:00.2", "ens1f0v0");
        Dev("0000:3b:00.3", "ens1f0v1");
        Directory.CreateSymbolicLink(Path.Combine(pci, "0000:3b:00.0/virtfn0"), "../0000:3b:00.2");
        Directory.CreateSymbolicLink(Path.Combine(pci, "0000:3b:00.0/virtfn1"), "../0000:3b:00.3");
        Directory.CreateSymbolicLink(Path.Combine(pci, "0000:3b:00.2/physfn"), "../0000:3b:00.0");
        Directory.CreateSymbolicLink(Path.Combine(pci, "0000:3b:00.3/physfn"), "../0000:3b:00.0");

        void Dev(string addr, string netdev)
        {
            Directory.CreateDirectory(Path.Combine(pci, addr, "net", netdev));
            Directory.CreateDirectory(Path.Combine(_root, "class/net", netdev));
            Directory.CreateSymbolicLink(Path.Combine(_root, "class/net", netdev, "device"), Path.Combine(pci, addr));
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void a_vf_is_found_with_its_pf_and_number()
    {
        Assert.Equal(new SriovVf("ens1f0", 1), SriovVfLocator.Find("ens1f0v1", _root));
        Assert.Equal(new SriovVf("ens1f0", 0), SriovVfLocator.Find("ens1f0v0", _root));
    }

    [Fact]
    public void a_pf_or_a_virtual_device_is_not_a_vf()
    {
        Assert.Null(SriovVfLocator.Find("ens1f0", _root));
        Assert.Null(SriovVfLocator.Find("veth0", _root));
    }
}
