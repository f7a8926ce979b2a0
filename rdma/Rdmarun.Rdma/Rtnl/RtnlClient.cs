using System.Buffers.Binary;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>
/// The rtnetlink requests rdmarun needs, shaped as iproute2 sends them. Every request asks for an ACK, so a
/// refusal always comes back as an errno. Sequence numbers start at <paramref name="firstSequence"/> so recorded
/// exchanges replay byte for byte.
/// </summary>
public sealed class RtnlClient(IRtnlTransport transport, uint firstSequence = 1)
{
    const ushort DoFlags = NetlinkConst.FlagRequest | NetlinkConst.FlagAck;
    const ushort DumpFlags = DoFlags | NetlinkConst.FlagDump;
    uint _sequence = firstSequence;

    /// <summary>The device named <paramref name="name"/> in the socket's netns, or null.</summary>
    public RtnlLink? GetLink(string name)
    {
        try
        {
            var reply = Exchange(Rtnl.GetLink, DoFlags, $"find network device {name}", IfInfo(0, 0, 0),
                NetlinkAttribute.String(Rtnl.IflaIfname, name)).FirstOrDefault(m => m.Type == Rtnl.NewLink);
            return reply is null ? null : ToLink(reply);
        }
        catch (RtnlException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }

    /// <summary>The device with index <paramref name="index"/> in the socket's netns, or null.</summary>
    public RtnlLink? GetLinkByIndex(int index)
    {
        try
        {
            var reply = Exchange(Rtnl.GetLink, DoFlags, $"find network device index {index}", IfInfo(index, 0, 0))
                .FirstOrDefault(m => m.Type == Rtnl.NewLink);
            return reply is null ? null : ToLink(reply);
        }
        catch (RtnlException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }

    /// <summary>The addresses of device <paramref name="index"/>, in the kernel's order (primary before secondary).</summary>
    public IReadOnlyList<RtnlAddress> GetAddresses(int index)
        => Exchange(Rtnl.GetAddr, DumpFlags, "list addresses", new byte[Rtnl.IfaddrmsgLength])
            .Where(m => m.Type == Rtnl.NewAddr).Select(ToAddress).Where(a => a.Index == index).ToList();

    /// <summary>
    /// Moves a device into the netns of <paramref name="netnsFd"/> and, in the same request, renames it
    /// (RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME): the kernel renames after the move, so a name taken on
    /// this side does not matter. The kernel takes the device down and flushes its addresses.
    /// </summary>
    public void MoveLink(RtnlLink link, int netnsFd, string newName, string destination)
    {
        var attrs = new List<NetlinkAttribute> { NetlinkAttribute.U32(Rtnl.IflaNetNsFd, (uint)netnsFd) };
        if (newName != link.Name) attrs.Add(NetlinkAttribute.String(Rtnl.IflaIfname, newName));
        var rename = newName != link.Name ? $" as {newName}" : "";
        Exchange(Rtnl.NewLink, DoFlags, $"move network device {link.Name} into {destination}{rename}", IfInfo(link.Index, 0, 0), [.. attrs]);
    }

    /// <summary>
    /// Creates a macvlan (bridge mode), ipvlan (L2) or VLAN child of <paramref name="parent"/> directly in the netns of
    /// <paramref name="netnsFd"/> under <paramref name="name"/> (RTM_NEWLINK, CREATE|EXCL, IFLA_LINK = the parent's index
    /// in this socket's netns), as `ip link add link P name N netns NS type macvlan mode bridge`. Created there, the
    /// child never holds a host name, and it dies with that netns.
    /// </summary>
    public void AddChild(RtnlLink parent, string kind, ushort vlanId, string name, int netnsFd)
    {
        NetlinkAttribute data = kind switch
        {
            "macvlan" => NetlinkAttribute.U32(Rtnl.IflaMacvlanMode, Rtnl.MacvlanModeBridge),
            "ipvlan" => NetlinkAttribute.U16(Rtnl.IflaIpvlanMode, Rtnl.IpvlanModeL2),
            "vlan" => NetlinkAttribute.U16(Rtnl.IflaVlanId, vlanId),
            _ => throw new ArgumentException($"unknown child kind {kind}", nameof(kind)),
        };
        var what = kind == "vlan" ? $"vlan {vlanId}" : kind;
        Exchange(Rtnl.NewLink, DoFlags | Rtnl.FlagCreate | Rtnl.FlagExcl,
            $"create {what} device {name} on {parent.Name} in the container's network namespace", IfInfo(0, 0, 0),
            NetlinkAttribute.String(Rtnl.IflaIfname, name), NetlinkAttribute.U32(Rtnl.IflaLink, (uint)parent.Index),
            NetlinkAttribute.U32(Rtnl.IflaNetNsFd, (uint)netnsFd),
            RtnlCodec.Nested(Rtnl.IflaLinkinfo, NetlinkAttribute.String(Rtnl.IflaInfoKind, kind), RtnlCodec.Nested(Rtnl.IflaInfoData, data)));
    }

    /// <summary>
    /// Creates an IPoIB child of <paramref name="parent"/> (an InfiniBand port's netdev) for partition
    /// <paramref name="pkey"/>, directly in the netns of <paramref name="netnsFd"/>, as `ip link add link ib0 name
    /// ib0.8001 netns NS type ipoib pkey 0x8001`: the container's IP traffic then stays in that partition.
    /// </summary>
    public void AddIpoibChild(RtnlLink parent, ushort pkey, string name, int netnsFd)
        => Exchange(Rtnl.NewLink, DoFlags | Rtnl.FlagCreate | Rtnl.FlagExcl,
            $"create ipoib device {name} for p_key {Pkey.Format(pkey)} on {parent.Name} in the container's network namespace", IfInfo(0, 0, 0),
            NetlinkAttribute.String(Rtnl.IflaIfname, name), NetlinkAttribute.U32(Rtnl.IflaLink, (uint)parent.Index),
            NetlinkAttribute.U32(Rtnl.IflaNetNsFd, (uint)netnsFd),
            RtnlCodec.Nested(Rtnl.IflaLinkinfo, NetlinkAttribute.String(Rtnl.IflaInfoKind, "ipoib"),
                RtnlCodec.Nested(Rtnl.IflaInfoData, NetlinkAttribute.U16(Rtnl.IflaIpoibPkey, pkey))));

    /// <summary>Deletes a device (RTM_DELLINK by index), as `ip link del`.</summary>
    public void DeleteLink(RtnlLink link)
        => Exchange(Rtnl.DelLink, DoFlags, $"delete network device {link.Name}", IfInfo(link.Index, 0, 0));

    /// <summary>Renames a device (it must be down or the kernel refuses with EBUSY).</summary>
    public void Rename(RtnlLink link, string newName)
        => Exchange(Rtnl.NewLink, DoFlags, $"rename network device {link.Name} to {newName}", IfInfo(link.Index, 0, 0),
            NetlinkAttribute.String(Rtnl.IflaIfname, newName));

    public void SetUp(RtnlLink link, bool up)
        => Exchange(Rtnl.NewLink, DoFlags, $"set network device {link.Name} {(up ? "up" : "down")}",
            IfInfo(link.Index, up ? Rtnl.IffUp : 0, Rtnl.IffUp));

    public void AddAddress(RtnlAddress a, string deviceName)
    {
        var header = new byte[Rtnl.IfaddrmsgLength];
        header[0] = a.Family; header[1] = a.PrefixLength; header[3] = a.Scope; // flags 0, as ip sends: the kernel marks an address without lifetime permanent
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), a.Index);
        var attrs = new List<NetlinkAttribute>();
        if (a.Local is { } l) attrs.Add(new(Rtnl.IfaLocal, l));
        if (a.Address is { } ad) attrs.Add(new(Rtnl.IfaAddress, ad));
        if (a.Broadcast is { } b) attrs.Add(new(Rtnl.IfaBroadcast, b));
        Exchange(Rtnl.NewAddr, DoFlags | Rtnl.FlagCreate | Rtnl.FlagExcl, $"add address {a} to network device {deviceName}", header, [.. attrs]);
    }

    /// <summary>
    /// SR-IOV: the NIC enforces a VF's transmit rate (Mbit/s; 0 = no limit) — IFLA_VFINFO_LIST/IFLA_VF_INFO/
    /// IFLA_VF_RATE on the physical function, as `ip link set PF vf N min_tx_rate A max_tx_rate B`.
    /// </summary>
    public void SetVfRate(RtnlLink pf, uint vf, uint minMbps, uint maxMbps)
    {
        var rate = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(rate, vf);
        BinaryPrimitives.WriteUInt32LittleEndian(rate.AsSpan(4), minMbps);
        BinaryPrimitives.WriteUInt32LittleEndian(rate.AsSpan(8), maxMbps);
        Exchange(Rtnl.NewLink, DoFlags, $"set the rate of vf {vf} of {pf.Name} to {(minMbps > 0 ? $"min {minMbps} " : "")}max {maxMbps} Mbit/s", IfInfo(pf.Index, 0, 0),
            RtnlCodec.Nested(Rtnl.IflaVfinfoList, RtnlCodec.Nested(Rtnl.IflaVfInfo, new NetlinkAttribute(Rtnl.IflaVfRate, rate))));
    }

    /// <summary>
    /// SR-IOV: the NIC tags a VF's traffic with 802.1Q <paramref name="vlan"/> and priority (PCP)
    /// <paramref name="qos"/> — IFLA_VF_VLAN_LIST/IFLA_VF_VLAN_INFO, as `ip link set PF vf N vlan V qos Q`.
    /// </summary>
    public void SetVfVlan(RtnlLink pf, uint vf, ushort vlan, byte qos)
    {
        var info = new byte[16]; // struct ifla_vf_vlan_info: u32 vf, vlan, qos; __be16 proto; 2 bytes padding
        BinaryPrimitives.WriteUInt32LittleEndian(info, vf);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), vlan);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), qos);
        BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(12), Rtnl.EthPVlan);
        Exchange(Rtnl.NewLink, DoFlags, $"set vlan {vlan} qos {qos} on vf {vf} of {pf.Name}", IfInfo(pf.Index, 0, 0),
            RtnlCodec.Nested(Rtnl.IflaVfinfoList, RtnlCodec.Nested(Rtnl.IflaVfInfo,
                RtnlCodec.Nested(Rtnl.IflaVfVlanList, new NetlinkAttribute(Rtnl.IflaVfVlanInfo, info)))));
    }

    /// <summary>
    /// A token-bucket root qdisc capping the device's egress at <paramref name="bytesPerSecond"/>, as
    /// `tc qdisc replace dev D root tbf rate R burst B limit L`. The link layer is given as Ethernet so the
    /// kernel computes packet times itself and needs no rate table.
    /// </summary>
    public void SetTbf(RtnlLink link, ulong bytesPerSecond, uint burstBytes, uint limitBytes)
        => Exchange(Rtnl.NewQdisc, DoFlags | Rtnl.FlagCreate | Rtnl.FlagReplace,
            $"limit network device {link.Name} to {bytesPerSecond} bytes/s", Tcmsg(link.Index, 0), TbfAttributes(bytesPerSecond, burstBytes, limitBytes));

    /// <summary>
    /// The same cap as <see cref="SetTbf"/> on a device other containers and the host also use, as
    /// `tc qdisc add dev D root handle H: tbf ...`: exclusive, so a root qdisc someone else installed (the
    /// kernel's default one aside) is an EEXIST rather than replaced, and under a handle of its own, so that
    /// <see cref="DeleteRootQdisc"/> removes this one and never a later one.
    /// </summary>
    public void AddTbf(RtnlLink link, uint handle, ulong bytesPerSecond, uint burstBytes, uint limitBytes)
        => Exchange(Rtnl.NewQdisc, DoFlags | Rtnl.FlagCreate | Rtnl.FlagExcl,
            $"add a root qdisc limiting network device {link.Name} to {bytesPerSecond} bytes/s", Tcmsg(link.Index, handle),
            TbfAttributes(bytesPerSecond, burstBytes, limitBytes));

    /// <summary>`tc qdisc del dev D root handle H:`: the kernel refuses (EINVAL) when the root qdisc has another handle.</summary>
    public void DeleteRootQdisc(RtnlLink link, uint handle)
        => Exchange(Rtnl.DelQdisc, DoFlags, $"remove root qdisc {handle >> 16:x}: of network device {link.Name}", Tcmsg(link.Index, handle));

    static byte[] Tcmsg(int index, uint handle)
    {
        var tcmsg = new byte[Rtnl.TcmsgLength];
        BinaryPrimitives.WriteInt32LittleEndian(tcmsg.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(tcmsg.AsSpan(8), handle);
        BinaryPrimitives.WriteUInt32LittleEndian(tcmsg.AsSpan(12), Rtnl.TcHRoot);
        return tcmsg;
    }

    static NetlinkAttribute[] TbfAttributes(ulong bytesPerSecond, uint burstBytes, uint limitBytes)
    {
        var parms = new byte[36]; // struct tc_tbf_qopt: tc_ratespec rate, peakrate; u32 limit, buffer, mtu
        parms[1] = Rtnl.LinkLayerEthernet;
        BinaryPrimitives.WriteUInt32LittleEndian(parms.AsSpan(8), (uint)Math.Min(bytesPerSecond, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(parms.AsSpan(24), limitBytes);
        var attrs = new List<NetlinkAttribute> { new(Rtnl.TcaTbfParms, parms), NetlinkAttribute.U32(Rtnl.TcaTbfBurst, burstBytes) };
        if (bytesPerSecond >= uint.MaxValue) attrs.Add(NetlinkAttribute.U64(Rtnl.TcaTbfRate64, bytesPerSecond));
        return [NetlinkAttribute.String(Rtnl.TcaKind, "tbf"), RtnlCodec.Nested(Rtnl.TcaOptions, [.. attrs])];
    }

    static byte[] IfInfo(int index, uint flags, uint change)
    {
        var b = new byte[Rtnl.IfinfomsgLength];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), change);
        return b;
    }

    static RtnlLink ToLink(RtnlMessage m)
    {
        var h = m.FamilyHeader;
        string? kind = null;
        if (m.Find(Rtnl.IflaLinkinfo) is { } info)
            foreach (var a in NetlinkCodec.DecodeAttributes(info.Value.Span))
                if (a.Kind == Rtnl.IflaInfoKind) kind = a.AsString();
        return new RtnlLink(BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(4)), m.Find(Rtnl.IflaIfname)?.AsString() ?? "",
            BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(8)), kind,
            m.Find(Rtnl.IflaAddress) is { } mac ? Convert.ToHexString(mac.Value.Span).ToLowerInvariant().Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b) : null);
    }

    static RtnlAddress ToAddress(RtnlMessage m)
    {
        var h = m.FamilyHeader;
        return new RtnlAddress(h[0], h[1], h[2], h[3], BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(4)),
            m.Find(Rtnl.IfaLocal)?.Value.ToArray(), m.Find(Rtnl.IfaAddress)?.Value.ToArray(), m.Find(Rtnl.IfaBroadcast)?.Value.ToArray());
    }

    /// <summary>One request; the replies with its sequence number up to the ACK (or NLMSG_DONE for a dump).</summary>
    List<RtnlMessage> Exchange(ushort type, ushort flags, string what, byte[] familyHeader, params NetlinkAttribute[] attributes)
    {
        var seq = _sequence++;
        transport.Send(RtnlCodec.Encode(type, flags, seq, familyHeader, attributes));
        var replies = new List<RtnlMessage>();
        while (true)
        {
            foreach (var m in RtnlCodec.Decode(transport.Receive()))
            {
                if (m.Sequence != seq) continue;
                if (m.IsError || m.IsDone)
                {
                    if (m.Error != 0)
                        throw new RtnlException($"netdev: cannot {what}: {Errno.Text(m.Error)}{(m.ExtendedAckMessage is { } k ? $" ({k})" : "")}",
                            m.Error, m.ExtendedAckMessage);
                    if (m.IsDone || (flags & NetlinkConst.FlagDump) != NetlinkConst.FlagDump) return replies;
                    continue;
                }
                replies.Add(m);
            }
        }
    }
}
