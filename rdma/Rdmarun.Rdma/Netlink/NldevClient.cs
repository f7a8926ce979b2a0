namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// The nldev requests rdmarun needs, with the same message shapes iproute2's rdma tool sends. Sequence numbers
/// start at <paramref name="firstSequence"/> so recorded exchanges replay byte for byte.
/// </summary>
public sealed partial class NldevClient(INetlinkTransport transport, uint firstSequence = 1)
{
    const ushort DoFlags = NetlinkConst.FlagRequest | NetlinkConst.FlagAck;
    const ushort DumpFlags = NetlinkConst.FlagRequest | NetlinkConst.FlagAck | NetlinkConst.FlagDump;

    uint _sequence = firstSequence;

    public IReadOnlyList<NldevDevice> GetDevices()
        => Exchange(Nldev.CmdGet, DumpFlags, "list rdma devices", []).Select(ToDevice).ToList();

    /// <summary>The kernel dumps ports per device: without DEV_INDEX the dump fails with EINVAL.</summary>
    public IReadOnlyList<NldevPort> GetPorts(uint deviceIndex)
        => Exchange(Nldev.CmdPortGet, DumpFlags, $"list the ports of rdma device index {deviceIndex}",
            NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex)).Select(ToPort).ToList();

    /// <summary>Exact name match; null when the device does not exist (in this netns).</summary>
    public NldevDevice? FindDevice(string name) => GetDevices().FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Asks which node serves <paramref name="type"/> ("uverbs", "umad", "rdma_cm") for a device (and port, for
    /// umad). rdma_cm is global: pass no device index.
    /// </summary>
    public NldevCharDevice GetCharDevice(string type, uint? deviceIndex = null, uint? port = null)
    {
        var attrs = new List<NetlinkAttribute>();
        if (deviceIndex is { } idx) attrs.Add(NetlinkAttribute.U32(Nldev.AttrDevIndex, idx));
        if (port is { } p) attrs.Add(NetlinkAttribute.U32(Nldev.AttrPortIndex, p));
        attrs.Add(NetlinkAttribute.String(Nldev.AttrChardevType, type));
        var what = deviceIndex is { } i ? $"find the {type} character device of rdma device index {i}" : $"find the {type} character device";
        var reply = Exchange(Nldev.CmdGetChardev, DoFlags, what, [.. attrs]).FirstOrDefault()
            ?? throw new RdmaNetlinkException($"rdma: cannot {what}: the kernel sent no reply", Errno.EIO);
        var (major, minor) = NldevFormat.DecodeDev(reply.U64(Nldev.AttrChardev) ?? 0);
        return new NldevCharDevice(reply.String(Nldev.AttrChardevName) ?? "", major, minor, reply.U64(Nldev.AttrChardevAbi));
    }

    public RdmaNetnsMode GetNetnsMode()
    {
        var reply = Exchange(Nldev.CmdSysGet, DoFlags, "read the rdma netns mode", []).FirstOrDefault();
        var mode = reply?.U8(Nldev.AttrSysNetnsMode)
            ?? throw new RdmaNetlinkException("rdma: cannot read the rdma netns mode: the kernel reply has no netns mode", Errno.EIO);
        return mode == 0 ? RdmaNetnsMode.Exclusive : RdmaNetnsMode.Shared;
    }

    public void SetNetnsMode(RdmaNetnsMode mode)
    {
        var name = mode == RdmaNetnsMode.Shared ? "shared" : "exclusive";
        try
        {
            Exchange(Nldev.CmdSysSet, DoFlags, $"set the rdma netns mode to {name}", NetlinkAttribute.U8(Nldev.AttrSysNetnsMode, (byte)mode));
        }
        catch (RdmaNetlinkException e) when (e.Errno == Errno.EBUSY)
        {
            // ib_core refuses the switch while any non-initial netns exists.
            throw new RdmaNetlinkException(
                $"rdma: cannot set the rdma netns mode to {name}: {Errno.Text(e.Errno)}; other network namespaces exist — set it at boot (options ib_core netns_mode={(byte)mode})",
                e.Errno, e.KernelMessage);
        }
    }

    /// <summary>
    /// Moves a device into the netns referred to by <paramref name="netnsFd"/> (RDMA_NLDEV_CMD_SET with
    /// NET_NS_FD). The same call with a host netns fd is the undo. The kernel kills every user context of the
    /// device on a move.
    /// </summary>
    /// <param name="destination">For messages: "the container's network namespace", "the host network namespace".</param>
    public void MoveDevice(uint deviceIndex, string deviceName, string driver, int netnsFd, string destination = "the container's network namespace")
    {
        try
        {
            Exchange(Nldev.CmdSet, DoFlags, $"move device {deviceName}",
                NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex),
                NetlinkAttribute.U32(Nldev.AttrNetNsFd, (uint)netnsFd));
        }
        catch (RdmaNetlinkException e)
        {
            throw new RdmaNetlinkException(
                $"rdma: cannot move device {deviceName} (driver {driver}) into {destination}: {Errno.Text(e.Errno)}{MoveHint(e.Errno)}",
                e.Errno, e.KernelMessage);
        }
    }

    /// <summary>EOPNOTSUPP has two causes the kernel does not tell apart: shared mode, or a driver without disassociate_ucontext.</summary>
    string MoveHint(int errno)
    {
        switch (errno)
        {
            case Errno.EOPNOTSUPP:
                RdmaNetnsMode? mode;
                try { mode = GetNetnsMode(); }
                catch (RdmaNetlinkException) { mode = null; }
                return mode == RdmaNetnsMode.Shared
                    ? "; the rdma subsystem is in shared netns mode, where devices cannot be moved — use exclusive mode (options ib_core netns_mode=0) or leave the device shared"
                    : "; the driver cannot disassociate user contexts — use shared netns mode (rdma system set netns shared)";
            case Errno.EPERM:
                return "; moving an rdma device needs CAP_NET_ADMIN in the user namespace that owns the target network namespace";
            case Errno.EINVAL:
                // nldev answers EINVAL both for an unknown index and for an fd that is not a netns.
                return "; the device index is unknown in this network namespace or the fd is not a network namespace";
            case Errno.EBADF:
                return "; the network namespace fd is not open";
            default:
                return "";
        }
    }

    /// <summary>
    /// Sends one request and collects the data replies that carry its sequence number, until NLMSG_DONE (dump)
    /// or the ACK (NLMSG_ERROR with 0). A non-zero NLMSG_ERROR becomes an exception with the errno.
    /// </summary>
    List<NetlinkMessage> Exchange(ushort op, ushort flags, string what, params NetlinkAttribute[] attributes)
    {
        var seq = _sequence++;
        transport.Send(NetlinkCodec.Encode(NetlinkMessage.Request(Nldev.MessageType(op), flags, seq, attributes)));
        var replies = new List<NetlinkMessage>();
        while (true)
        {
            foreach (var m in transport.Receive())
            {
                if (m.Sequence != seq) continue; // a late answer to an earlier request
                if (m.IsError)
                {
                    if (m.Error != 0)
                        throw new RdmaNetlinkException(
                            $"rdma: cannot {what}: {Errno.Text(m.Error)}{(m.ExtendedAckMessage is { } k ? $" ({k})" : "")}",
                            m.Error, m.ExtendedAckMessage);
                    if ((flags & NetlinkConst.FlagDump) != NetlinkConst.FlagDump) return replies;
                    continue;
                }
                if (m.IsDone)
                {
                    if (m.Error != 0)
                        throw new RdmaNetlinkException($"rdma: cannot {what}: {Errno.Text(m.Error)}", m.Error);
                    return replies;
                }
                replies.Add(m);
            }
        }
    }

    static NldevDevice ToDevice(NetlinkMessage m) => new(
        m.U32(Nldev.AttrDevIndex) ?? 0,
        m.String(Nldev.AttrDevName) ?? "",
        m.U32(Nldev.AttrPortIndex) ?? 0,
        m.U64(Nldev.AttrNodeGuid),
        m.String(Nldev.AttrFwVersion),
        m.U8(Nldev.AttrDevNodeType),
        m.String(Nldev.AttrDevProtocol));

    static NldevPort ToPort(NetlinkMessage m) => new(
        m.U32(Nldev.AttrDevIndex) ?? 0,
        m.String(Nldev.AttrDevName) ?? "",
        m.U32(Nldev.AttrPortIndex) ?? 0,
        m.U8(Nldev.AttrPortState),
        m.U8(Nldev.AttrPortPhysState),
        m.U32(Nldev.AttrLid),
        m.U32(Nldev.AttrNdevIndex),
        m.String(Nldev.AttrNdevName));
}
