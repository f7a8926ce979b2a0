namespace Rdmarun.Rdma.Netlink;

/// <summary>Generic netlink header values (include/uapi/linux/netlink.h).</summary>
public static class NetlinkConst
{
    public const ushort FlagRequest = 0x1;
    public const ushort FlagMulti = 0x2;
    public const ushort FlagAck = 0x4;
    public const ushort FlagDump = 0x300;       // NLM_F_ROOT | NLM_F_MATCH
    public const ushort FlagCapped = 0x100;     // on NLMSG_ERROR: original payload not echoed
    public const ushort FlagAckTlvs = 0x200;    // on NLMSG_ERROR: extended ack attributes follow

    public const ushort TypeNoop = 1;
    public const ushort TypeError = 2;
    public const ushort TypeDone = 3;

    public const ushort ErrAttrMsg = 1;         // NLMSGERR_ATTR_MSG

    public const int HeaderLength = 16;
}
