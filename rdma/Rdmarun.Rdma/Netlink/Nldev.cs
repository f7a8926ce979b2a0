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
    public const ushort CmdResQpGet = 10;
    public const ushort CmdGetChardev = 15;
    public const ushort CmdStatSet = 16;
    public const ushort CmdStatGet = 17;
    public const ushort CmdStatDel = 18;

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
    public const ushort AttrResQp = 19;         // nested table of AttrResQpEntry
    public const ushort AttrResQpEntry = 20;    // nested
    public const ushort AttrResLqpn = 21;       // u32
    public const ushort AttrResType = 26;       // u8 (enum ib_qp_type)
    public const ushort AttrResState = 27;      // u8 (enum ib_qp_state)
    public const ushort AttrResPid = 28;        // u32, in the pid namespace of the asking process
    public const ushort AttrNdevIndex = 50;     // u32
    public const ushort AttrNdevName = 51;      // string
    public const ushort AttrLinkType = 65;      // string
    public const ushort AttrSysNetnsMode = 66;  // u8: 1 shared, 0 exclusive
    public const ushort AttrDevProtocol = 67;   // string
    public const ushort AttrNetNsFd = 68;       // u32
    public const ushort AttrChardevType = 69;   // string
    public const ushort AttrStatMode = 74;               // u32 (enum rdma_nl_counter_mode)
    public const ushort AttrStatRes = 75;                // u32: the resource counted; only AttrResQp exists
    public const ushort AttrStatAutoModeMask = 76;       // u32 (enum rdma_nl_counter_mask)
    public const ushort AttrStatCounter = 77;            // nested table of AttrStatCounterEntry
    public const ushort AttrStatCounterEntry = 78;       // nested
    public const ushort AttrStatCounterId = 79;          // u32
    public const ushort AttrStatHwCounters = 80;         // nested table of AttrStatHwCounterEntry
    public const ushort AttrStatHwCounterEntry = 81;     // nested
    public const ushort AttrStatHwCounterEntryName = 82; // string
    public const ushort AttrStatHwCounterEntryValue = 83;// u64
    public const ushort AttrChardevName = 70;   // string
    public const ushort AttrChardevAbi = 71;    // u64
    public const ushort AttrChardev = 72;       // u64 dev_t (huge_encode_dev)
    public const ushort AttrSysCopyOnFork = 93; // u8

    /// <summary>RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, op).</summary>
    public static ushort MessageType(ushort op) => (ushort)((ClientNldev << 10) + op);

    /// <summary>RDMA_NL_GET_OP(type).</summary>
    public static ushort Op(ushort type) => (ushort)(type & ((1 << 10) - 1));
}
