using R = Rdmarun.Rdma.Rtnl.Rtnl;

namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>The rtnetlink constants we put on the wire, read from the machine's uapi headers.</summary>
public partial class HeaderConstantsTests
{
    static readonly Lazy<Dictionary<string, long>> RouteValues = new(() =>
    {
        var map = new Dictionary<string, long>();
        foreach (var h in new[] { "linux/netlink.h", "linux/rtnetlink.h", "linux/if_link.h", "linux/if_addr.h", "linux/pkt_sched.h", "linux/if_ether.h", "linux/if.h", "x86_64-linux-gnu/bits/socket.h" })
        {
            var path = Path.Combine("/usr/include", h);
            if (File.Exists(path)) Read(File.ReadAllText(path), map);
        }
        return map;
    });

    [Theory]
    [InlineData("NETLINK_ROUTE", R.NetlinkRoute)]
    [InlineData("RTM_NEWLINK", R.NewLink)]
    [InlineData("RTM_GETLINK", R.GetLink)]
    [InlineData("RTM_DELLINK", R.DelLink)]
    [InlineData("IFLA_LINK", R.IflaLink)]
    [InlineData("IFLA_INFO_DATA", R.IflaInfoData)]
    [InlineData("IFLA_MACVLAN_MODE", R.IflaMacvlanMode)]
    [InlineData("IFLA_IPVLAN_MODE", R.IflaIpvlanMode)]
    [InlineData("IFLA_VLAN_ID", R.IflaVlanId)]
    [InlineData("IFLA_IPOIB_PKEY", R.IflaIpoibPkey)]
    [InlineData("MACVLAN_MODE_BRIDGE", R.MacvlanModeBridge)]
    [InlineData("IPVLAN_MODE_L2", R.IpvlanModeL2)]
    [InlineData("RTM_NEWADDR", R.NewAddr)]
    [InlineData("RTM_GETADDR", R.GetAddr)]
    [InlineData("RTM_NEWQDISC", R.NewQdisc)]
    [InlineData("RTM_DELQDISC", R.DelQdisc)]
    [InlineData("NLM_F_REPLACE", R.FlagReplace)]
    [InlineData("NLM_F_EXCL", R.FlagExcl)]
    [InlineData("NLM_F_CREATE", R.FlagCreate)]
    [InlineData("IFLA_ADDRESS", R.IflaAddress)]
    [InlineData("IFLA_IFNAME", R.IflaIfname)]
    [InlineData("IFLA_MTU", R.IflaMtu)]
    [InlineData("IFLA_LINKINFO", R.IflaLinkinfo)]
    [InlineData("IFLA_VFINFO_LIST", R.IflaVfinfoList)]
    [InlineData("IFLA_NET_NS_FD", R.IflaNetNsFd)]
    [InlineData("IFLA_INFO_KIND", R.IflaInfoKind)]
    [InlineData("IFLA_VF_INFO", R.IflaVfInfo)]
    [InlineData("IFLA_VF_RATE", R.IflaVfRate)]
    [InlineData("IFLA_VF_VLAN_LIST", R.IflaVfVlanList)]
    [InlineData("IFLA_VF_VLAN_INFO", R.IflaVfVlanInfo)]
    [InlineData("IFA_ADDRESS", R.IfaAddress)]
    [InlineData("IFA_LOCAL", R.IfaLocal)]
    [InlineData("IFA_BROADCAST", R.IfaBroadcast)]
    [InlineData("IFA_F_PERMANENT", R.IfaFPermanent)]
    [InlineData("RT_SCOPE_LINK", R.ScopeLink)]
    [InlineData("TCA_KIND", R.TcaKind)]
    [InlineData("TCA_OPTIONS", R.TcaOptions)]
    [InlineData("TCA_TBF_PARMS", R.TcaTbfParms)]
    [InlineData("TCA_TBF_RATE64", R.TcaTbfRate64)]
    [InlineData("TCA_TBF_BURST", R.TcaTbfBurst)]
    [InlineData("TC_LINKLAYER_ETHERNET", R.LinkLayerEthernet)]
    [InlineData("ETH_P_8021Q", R.EthPVlan)]
    [InlineData("AF_INET", R.AfInet)]
    [InlineData("AF_INET6", R.AfInet6)]
    public void rtnetlink_values_match_the_uapi_headers(string name, long ours)
    {
        Assert.True(RouteValues.Value.TryGetValue(name, out var v), $"{name} not found in the uapi headers");
        Assert.Equal(v, ours);
    }
}
