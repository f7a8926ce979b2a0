namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// One netlink message: the nlmsghdr fields plus either nldev attributes or, for NLMSG_ERROR, the errno and the
/// extended-ack message.
/// </summary>
public sealed record NetlinkMessage(
    ushort Type,
    ushort Flags,
    uint Sequence,
    uint PortId,
    IReadOnlyList<NetlinkAttribute> Attributes)
{
    /// <summary>For NLMSG_ERROR: 0 is an ACK, otherwise the positive errno.</summary>
    public int Error { get; init; }

    /// <summary>For NLMSG_ERROR with NLM_F_ACK_TLVS: the kernel's NLMSGERR_ATTR_MSG text.</summary>
    public string? ExtendedAckMessage { get; init; }

    public bool IsError => Type == NetlinkConst.TypeError;
    public bool IsDone => Type == NetlinkConst.TypeDone;

    public NetlinkAttribute? Find(ushort kind)
    {
        foreach (var a in Attributes)
            if (a.Kind == kind) return a;
        return null;
    }

    public uint? U32(ushort kind) => Find(kind)?.AsU32();
    public ulong? U64(ushort kind) => Find(kind)?.AsU64();
    public byte? U8(ushort kind) => Find(kind)?.AsU8();
    public string? String(ushort kind) => Find(kind)?.AsString();

    public static NetlinkMessage Request(ushort type, ushort flags, uint sequence, params NetlinkAttribute[] attributes)
        => new(type, flags, sequence, 0, attributes);
}
