namespace Rdmarun.Rdma.Rtnl;

/// <summary>
/// rtnetlink values rdmarun puts on the wire (include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h,
/// pkt_sched.h); HeaderConstantsTests checks each against the headers on the machine.
/// </summary>
public static class Rtnl
{
    public const int NetlinkRoute = 0;

    public const ushort NewLink = 16, DelLink = 17, GetLink = 18, NewAddr = 20, GetAddr = 22, NewQdisc = 36, DelQdisc = 37;

    public const ushort FlagReplace = 0x100, FlagExcl = 0x200, FlagCreate = 0x400;

    // struct ifinfomsg attributes
    public const ushort IflaAddress = 1, IflaIfname = 3, IflaMtu = 4, IflaLink = 5, IflaLinkinfo = 18, IflaVfinfoList = 22,
        IflaNetNsFd = 28;
    public const ushort IflaInfoKind = 1, IflaInfoData = 2;
    // IFLA_INFO_DATA of a macvlan, ipvlan, vlan child; the modes: a macvlan bridge sees its siblings, ipvlan L2
    public const ushort IflaMacvlanMode = 1, IflaIpvlanMode = 1, IflaVlanId = 1;
    public const ushort IflaIpoibPkey = 1;
    public const uint MacvlanModeBridge = 4;
    public const ushort IpvlanModeL2 = 0;
    public const ushort IflaVfInfo = 1, IflaVfRate = 6, IflaVfVlanList = 12, IflaVfVlanInfo = 1;

    // struct ifaddrmsg attributes
    public const ushort IfaAddress = 1, IfaLocal = 2, IfaBroadcast = 4;
    public const byte IfaFPermanent = 0x80;
    public const byte ScopeLink = 253;

    // struct tcmsg attributes; tbf options
    public const ushort TcaKind = 1, TcaOptions = 2;
    public const ushort TcaTbfParms = 1, TcaTbfRate64 = 4, TcaTbfBurst = 6;
    public const uint TcHRoot = 0xFFFFFFFF;
    public const byte LinkLayerEthernet = 1;

    public const uint IffUp = 0x1;
    public const byte AfUnspec = 0, AfInet = 2, AfInet6 = 10;
    public const ushort EthPVlan = 0x8100;

    public const int IfinfomsgLength = 16, IfaddrmsgLength = 8, TcmsgLength = 20;
}
