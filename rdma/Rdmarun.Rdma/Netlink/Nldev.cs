namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// Constants from include/uapi/linux/netlink.h and include/uapi/rdma/rdma_netlink.h, checked against the
/// headers of linux-libc-dev (a test prints them from C and compares).
/// </summary>
public static class Nldev
{
    public const int NetlinkRdma = 20;          // NETLINK_RDMA
    public const int ClientNldev = 5;           // RDMA_NL_NLDEV

    // Commands (enum rdma_nldev_command).
    public const ushort CmdGet = 1;
    public const ushort CmdSet = 2;
    public const ushort CmdPortGet = 5;
    public const ushort CmdSysGet = 6;
    public const ushort CmdSysSet = 7;
    public const ushort CmdGetChardev = 15;

    // Attributes (enum rdma_nldev_attr).
    public const ushort AttrPad = 0;
    public const ushort AttrDevIndex = 1;       // u32
    public const ushort AttrDevName = 2;        // string
    public const ushort AttrPortIndex = 3;      // u32 (in a device reply: the number of ports)
    public const ushort AttrCapFlags = 4;       // u64
    public const ushort AttrFwVersion = 5;      // string
    public const ushort AttrNodeGuid = 6;       // u64
    public const ushort AttrSysImageGuid = 7;   // u64
    public const ushort AttrSubnetPrefix = 8;   // u64
    public const ushort AttrLid = 9;            // u32
    public const ushort AttrSmLid = 10;         // u32
    public const ushort AttrLmc = 11;           // u8
    public const ushort AttrPortState = 12;     // u8
    public const ushort AttrPortPhysState = 13; // u8
    public const ushort AttrDevNodeType = 14;   // u8
    public const ushort AttrNdevIndex = 50;     // u32
    public const ushort AttrNdevName = 51;      // string
    public const ushort AttrLinkType = 65;      // string
    public const ushort AttrSysNetnsMode = 66;  // u8: 1 shared, 0 exclusive
    public const ushort AttrDevProtocol = 67;   // string
    public const ushort AttrNetNsFd = 68;       // u32
    public const ushort AttrChardevType = 69;   // string
    public const ushort AttrChardevName = 70;   // string
    public const ushort AttrChardevAbi = 71;    // u64
    public const ushort AttrChardev = 72;       // u64 dev_t (huge_encode_dev)
    public const ushort AttrSysCopyOnFork = 93; // u8

    /// <summary>RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, op).</summary>
    public static ushort MessageType(ushort op) => (ushort)((ClientNldev << 10) + op);

    /// <summary>RDMA_NL_GET_OP(type).</summary>
    public static ushort Op(ushort type) => (ushort)(type & ((1 << 10) - 1));
}
