namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// QP counters (drivers/infiniband/core/counters.c through nldev): the device's QPs, its counters with their
/// bound QPs and values, the port's binding mode, and manual bind/unbind of one QP.
/// </summary>
public sealed partial class NldevClient
{
    /// <summary>Every QP of the device (all ports); the kernel dumps QPs per device only.</summary>
    public IReadOnlyList<NldevQp> GetQps(uint deviceIndex)
        => Exchange(Nldev.CmdResQpGet, DumpFlags, $"list the queue pairs of rdma device index {deviceIndex}",
                NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex))
            .SelectMany(m => Table(m, Nldev.AttrResQp, Nldev.AttrResQpEntry))
            .Select(ToQp).ToList();

    /// <summary>Every QP counter of the device (all ports), with the values the driver keeps for it.</summary>
    public IReadOnlyList<NldevCounter> GetCounters(uint deviceIndex)
        => Exchange(Nldev.CmdStatGet, DumpFlags, $"list the queue pair counters of rdma device index {deviceIndex}",
                NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex),
                NetlinkAttribute.U32(Nldev.AttrStatRes, Nldev.AttrResQp))
            .SelectMany(m => Table(m, Nldev.AttrStatCounter, Nldev.AttrStatCounterEntry))
            .Select(ToCounter).ToList();

    /// <summary>The port's QP counter mode. The kernel wants a STAT_MODE attribute in the request and ignores its value.</summary>
    public RdmaCounterMode GetCounterMode(uint deviceIndex, uint port)
    {
        var what = $"read the queue pair counter mode of rdma device index {deviceIndex} port {port}";
        var reply = Exchange(Nldev.CmdStatGet, DoFlags, what,
                NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex),
                NetlinkAttribute.U32(Nldev.AttrPortIndex, port),
                NetlinkAttribute.U32(Nldev.AttrStatRes, Nldev.AttrResQp),
                NetlinkAttribute.U32(Nldev.AttrStatMode, (uint)RdmaCounterMode.None))
            .FirstOrDefault()?.U32(Nldev.AttrStatMode)
            ?? throw new RdmaNetlinkException($"rdma: cannot {what}: the kernel reply has no mode", Errno.EIO);
        return (RdmaCounterMode)reply;
    }

    /// <summary>
    /// Binds QP <paramref name="lqpn"/> to counter <paramref name="counterId"/>, or to a new counter when null
    /// (the port switches to manual mode). Returns the counter's id.
    /// </summary>
    public uint BindQp(uint deviceIndex, uint port, uint lqpn, uint? counterId = null)
    {
        var what = counterId is { } c
            ? $"bind queue pair {lqpn} of rdma device index {deviceIndex} port {port} to counter {c}"
            : $"bind queue pair {lqpn} of rdma device index {deviceIndex} port {port} to a new counter";
        var attrs = new List<NetlinkAttribute>
        {
            NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex),
            NetlinkAttribute.U32(Nldev.AttrPortIndex, port),
            NetlinkAttribute.U32(Nldev.AttrStatRes, Nldev.AttrResQp),
            NetlinkAttribute.U32(Nldev.AttrStatMode, (uint)RdmaCounterMode.Manual),
            NetlinkAttribute.U32(Nldev.AttrResLqpn, lqpn),
        };
        if (counterId is { } id) attrs.Add(NetlinkAttribute.U32(Nldev.AttrStatCounterId, id));
        return Exchange(Nldev.CmdStatSet, DoFlags, what, [.. attrs]).FirstOrDefault()?.U32(Nldev.AttrStatCounterId)
            ?? throw new RdmaNetlinkException($"rdma: cannot {what}: the kernel reply has no counter id", Errno.EIO);
    }

    /// <summary>Unbinds a manually bound QP; the kernel frees the counter with its last QP.</summary>
    public void UnbindQp(uint deviceIndex, uint port, uint counterId, uint lqpn)
        => Exchange(Nldev.CmdStatDel, DoFlags, $"unbind queue pair {lqpn} of rdma device index {deviceIndex} port {port} from counter {counterId}",
            NetlinkAttribute.U32(Nldev.AttrDevIndex, deviceIndex),
            NetlinkAttribute.U32(Nldev.AttrPortIndex, port),
            NetlinkAttribute.U32(Nldev.AttrStatRes, Nldev.AttrResQp),
            NetlinkAttribute.U32(Nldev.AttrStatCounterId, counterId),
            NetlinkAttribute.U32(Nldev.AttrResLqpn, lqpn));

    /// <summary>The entries of a table attribute (TABLE → ENTRY → fields), each entry's fields as one attribute list.</summary>
    static IEnumerable<IReadOnlyList<NetlinkAttribute>> Table(NetlinkMessage m, ushort table, ushort entry)
    {
        if (m.Find(table) is not { } t) yield break;
        foreach (var e in NetlinkCodec.DecodeAttributes(t.Value.Span))
            if (e.Kind == entry) yield return NetlinkCodec.DecodeAttributes(e.Value.Span);
    }

    static NetlinkAttribute? Field(IReadOnlyList<NetlinkAttribute> attrs, ushort kind)
    {
        foreach (var a in attrs)
            if (a.Kind == kind) return a;
        return null;
    }

    static NldevQp ToQp(IReadOnlyList<NetlinkAttribute> f) => new(
        Field(f, Nldev.AttrResLqpn)?.AsU32() ?? 0,
        Field(f, Nldev.AttrPortIndex)?.AsU32(),
        Field(f, Nldev.AttrResPid)?.AsU32(),
        Field(f, Nldev.AttrResType)?.AsU8(),
        Field(f, Nldev.AttrResState)?.AsU8());

    static NldevCounter ToCounter(IReadOnlyList<NetlinkAttribute> f)
    {
        var qpns = new List<uint>();
        if (Field(f, Nldev.AttrResQp) is { } qps)
            foreach (var e in NetlinkCodec.DecodeAttributes(qps.Value.Span))
                if (e.Kind == Nldev.AttrResQpEntry && Field(NetlinkCodec.DecodeAttributes(e.Value.Span), Nldev.AttrResLqpn) is { } n)
                    qpns.Add(n.AsU32());
        var values = new List<KeyValuePair<string, ulong>>();
        if (Field(f, Nldev.AttrStatHwCounters) is { } hw)
            foreach (var e in NetlinkCodec.DecodeAttributes(hw.Value.Span))
            {
                if (e.Kind != Nldev.AttrStatHwCounterEntry) continue;
                var fields = NetlinkCodec.DecodeAttributes(e.Value.Span);
                if (Field(fields, Nldev.AttrStatHwCounterEntryName) is { } name && Field(fields, Nldev.AttrStatHwCounterEntryValue) is { } value)
                    values.Add(new(name.AsString(), value.AsU64()));
            }
        return new NldevCounter(
            Field(f, Nldev.AttrStatCounterId)?.AsU32() ?? 0,
            Field(f, Nldev.AttrPortIndex)?.AsU32() ?? 0,
            (RdmaCounterMode)(Field(f, Nldev.AttrStatMode)?.AsU32() ?? 0),
            qpns, values);
    }
}
