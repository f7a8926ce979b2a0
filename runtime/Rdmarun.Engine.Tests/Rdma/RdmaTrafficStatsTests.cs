using System.Buffers.Binary;
using Rdmarun.Engine.Lifecycle;
using Rdmarun.Engine.Rdma;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// `events --stats` JSON for granted devices: rdma.current from the cgroup plus the per-port QP part, against a
/// scripted nldev kernel (the byte-level exchanges are checked in the rdma library's fixtures).
/// </summary>
public class RdmaTrafficStatsTests
{
    static readonly Dictionary<string, string> GrantedRxe0 = new() { [RdmaSpecGrant.GrantedAnnotation] = "rxe0" };

    static EventStats Current(string device) => new()
    {
        Rdma = new() { [device] = new EventRdma { HcaHandles = 1, HcaObjects = 4, HcaHandlesLimit = 1 } },
    };

    static string RdmaJson(EventStats stats)
    {
        var json = Events.Serialize(new Event { Type = "stats", Id = "c1", Data = stats });
        var at = json.IndexOf("\"rdma\":", StringComparison.Ordinal);
        return json[at..^2];
    }

    [Fact]
    public void rxe_shows_usage_the_containers_qp_and_that_counters_are_not_supported()
    {
        var kernel = new ScriptedKernel("rxe0", bindErrno: Errno.ENOMEM);
        kernel.Qps.Add((17, 1, 182));
        kernel.Qps.Add((18, 1, 300)); // the pingpong client on the host
        var stats = Current("rxe0");
        using (RdmaNetlink.Use(() => kernel, _ => throw new InvalidOperationException("no netns socket in shared mode")))
            RdmaTrafficStats.AddTo(stats, GrantedRxe0, 1, new HashSet<uint> { 182 });
        Assert.Equal("""
            "rdma":{"rxe0":{"hcaHandles":1,"hcaObjects":4,"hcaHandlesLimit":1,"ports":{"1":{"qps":1}},"countersUnavailable":"counters not supported by rxe"}}
            """, RdmaJson(stats));
    }

    [Fact]
    public void a_device_with_counter_binding_shows_the_containers_counter_values()
    {
        var kernel = new ScriptedKernel("mlx5_0", bindErrno: null);
        kernel.Qps.Add((17, 1, 182));
        kernel.Qps.Add((18, 1, 300));
        var stats = Current("mlx5_0");
        using (RdmaNetlink.Use(() => kernel, _ => throw new InvalidOperationException("no netns socket in shared mode")))
            RdmaTrafficStats.AddTo(stats, new Dictionary<string, string> { [RdmaSpecGrant.GrantedAnnotation] = "mlx5_0" }, 1, new HashSet<uint> { 182 });
        Assert.Equal("""
            "rdma":{"mlx5_0":{"hcaHandles":1,"hcaObjects":4,"hcaHandlesLimit":1,"ports":{"1":{"qps":1,"counters":{"rx_write_requests":17}}}}}
            """, RdmaJson(stats));
        Assert.Equal(["bind 17 new"], kernel.Binds);
    }

    [Fact]
    public void a_granted_device_the_kernel_does_not_list_is_explained_and_nothing_throws()
    {
        var kernel = new ScriptedKernel("rxe1", bindErrno: null);
        var stats = new EventStats();
        using (RdmaNetlink.Use(() => kernel, _ => throw new InvalidOperationException()))
            RdmaTrafficStats.AddTo(stats, GrantedRxe0, 1, new HashSet<uint> { 182 });
        Assert.Equal("""
            "rdma":{"rxe0":{"hcaHandles":0,"hcaObjects":0,"countersUnavailable":"counters unavailable: rdma device rxe0 is not visible in the host network namespace"}}
            """, RdmaJson(stats));
    }

    [Fact]
    public void a_socket_that_cannot_open_becomes_the_devices_message()
    {
        var stats = Current("rxe0");
        using (RdmaNetlink.Use(() => throw new RdmaNetlinkException("rdma: cannot open a NETLINK_RDMA socket: protocol not supported", Errno.EPROTONOSUPPORT), _ => throw new InvalidOperationException()))
            RdmaTrafficStats.AddTo(stats, GrantedRxe0, 1, new HashSet<uint> { 182 });
        Assert.Equal("counters unavailable: rdma: cannot open a NETLINK_RDMA socket: protocol not supported", stats.Rdma!["rxe0"].CountersUnavailable);
    }

    [Fact]
    public void ungranted_containers_get_no_rdma_section()
    {
        var stats = new EventStats();
        RdmaTrafficStats.AddTo(stats, new Dictionary<string, string>(), 1, new HashSet<uint>());
        Assert.Null(stats.Rdma);
    }

    /// <summary>One device at index 1 with one port; QPs as (lqpn, port, pid); binds fail with bindErrno or make counter 6.</summary>
    sealed class ScriptedKernel(string device, int? bindErrno) : INetlinkTransport
    {
        public List<(uint Lqpn, uint Port, uint Pid)> Qps { get; } = [];
        public List<string> Binds { get; } = [];
        readonly List<uint> _counter6 = [];
        readonly Queue<IReadOnlyList<NetlinkMessage>> _out = new();

        public void Send(ReadOnlySpan<byte> request)
        {
            var m = NetlinkCodec.Decode(request)[0];
            var seq = m.Sequence;
            NetlinkMessage Reply(params NetlinkAttribute[] a) => new(m.Type, NetlinkConst.FlagMulti, seq, 1000, a);
            var done = new NetlinkMessage(NetlinkConst.TypeDone, NetlinkConst.FlagMulti, seq, 1000, []);
            var ack = new NetlinkMessage(NetlinkConst.TypeError, 0, seq, 1000, []);
            var dev = new[] { NetlinkAttribute.U32(Nldev.AttrDevIndex, 1), NetlinkAttribute.String(Nldev.AttrDevName, device) };
            switch (Nldev.Op(m.Type))
            {
                case Nldev.CmdGet:
                    _out.Enqueue([Reply([.. dev, NetlinkAttribute.U32(Nldev.AttrPortIndex, 1)]), done]);
                    break;
                case Nldev.CmdResQpGet:
                    _out.Enqueue([Reply([.. dev, Nest(Nldev.AttrResQp, Qps.Select(q => Nest(Nldev.AttrResQpEntry,
                        NetlinkAttribute.U32(Nldev.AttrPortIndex, q.Port), NetlinkAttribute.U32(Nldev.AttrResLqpn, q.Lqpn),
                        NetlinkAttribute.U32(Nldev.AttrResPid, q.Pid))).ToArray())]), done]);
                    break;
                case Nldev.CmdStatGet when (m.Flags & NetlinkConst.FlagDump) == NetlinkConst.FlagDump:
                    _out.Enqueue(_counter6.Count == 0 ? [done] : [Reply([.. dev, Nest(Nldev.AttrStatCounter, Nest(Nldev.AttrStatCounterEntry,
                        NetlinkAttribute.U32(Nldev.AttrPortIndex, 1), NetlinkAttribute.U32(Nldev.AttrStatCounterId, 6),
                        NetlinkAttribute.U32(Nldev.AttrStatMode, (uint)RdmaCounterMode.Manual),
                        Nest(Nldev.AttrResQp, _counter6.Select(q => Nest(Nldev.AttrResQpEntry, NetlinkAttribute.U32(Nldev.AttrResLqpn, q))).ToArray()),
                        Nest(Nldev.AttrStatHwCounters, Nest(Nldev.AttrStatHwCounterEntry,
                            NetlinkAttribute.String(Nldev.AttrStatHwCounterEntryName, "rx_write_requests"),
                            NetlinkAttribute.U64(Nldev.AttrStatHwCounterEntryValue, 17)))))]), done]);
                    break;
                case Nldev.CmdStatGet:
                    _out.Enqueue([Reply([.. dev, NetlinkAttribute.U32(Nldev.AttrPortIndex, 1), NetlinkAttribute.U32(Nldev.AttrStatMode, (uint)(_counter6.Count == 0 ? RdmaCounterMode.None : RdmaCounterMode.Manual))]), ack]);
                    break;
                case Nldev.CmdStatSet:
                    var lqpn = m.U32(Nldev.AttrResLqpn)!.Value;
                    if (bindErrno is { } errno)
                    {
                        _out.Enqueue([new NetlinkMessage(NetlinkConst.TypeError, 0, seq, 1000, []) { Error = errno }]);
                        break;
                    }
                    Binds.Add(m.U32(Nldev.AttrStatCounterId) is { } id ? $"bind {lqpn} to {id}" : $"bind {lqpn} new");
                    _counter6.Add(lqpn);
                    _out.Enqueue([Reply([.. dev, NetlinkAttribute.U32(Nldev.AttrStatCounterId, 6), NetlinkAttribute.U32(Nldev.AttrResLqpn, lqpn)]), ack]);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected nldev op {Nldev.Op(m.Type)}");
            }
        }

        public IReadOnlyList<NetlinkMessage> Receive() => _out.Dequeue();

        public void Dispose() { }

        static NetlinkAttribute Nest(ushort type, params NetlinkAttribute[] children)
        {
            var bytes = new List<byte>();
            foreach (var c in children)
            {
                var header = new byte[4];
                BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(4 + c.Value.Length));
                BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), c.Type);
                bytes.AddRange(header);
                bytes.AddRange(c.Value.ToArray());
                while (bytes.Count % 4 != 0) bytes.Add(0);
            }
            return new NetlinkAttribute(type, bytes.ToArray());
        }
    }
}
