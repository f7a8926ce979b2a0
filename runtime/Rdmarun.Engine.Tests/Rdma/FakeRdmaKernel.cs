using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// A stand-in for a kernel in exclusive netns mode whose devices can move (hardware; rxe cannot): each socket
/// lives in a network namespace ("host" or "container"), a device dump lists the devices of that netns, and
/// RDMA_NLDEV_CMD_SET with NET_NS_FD moves a device to the netns the fd refers to. Requests are decoded with the
/// codec that rdma/ checks byte for byte against recorded kernel exchanges; every request is logged.
/// </summary>
public sealed class FakeRdmaKernel
{
    readonly Dictionary<string, (uint Index, string Netns)> _devices = [];
    public List<string> Log { get; } = [];
    /// <summary>A netns that died: its devices show up on the host after this many more host dumps.</summary>
    public int? ReturnAfterHostDumps { get; set; }

    public FakeRdmaKernel Device(string name, uint index, string netns)
    {
        _devices[name] = (index, netns);
        return this;
    }

    public string Where(string device) => _devices[device].Netns;

    /// <summary>"host" for an fd on the runtime's own netns, anything else is the container's.</summary>
    public static string NetnsOf(int fd)
        => new FileInfo($"/proc/self/fd/{fd}").LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget ? "host" : "container";

    public INetlinkTransport Socket(string netns) => new FakeSocket(this, netns);

    IReadOnlyList<NetlinkMessage> Handle(string netns, NetlinkMessage request)
    {
        var op = (ushort)(request.Type & 0x3ff);
        var seq = request.Sequence;
        var ack = new NetlinkMessage(NetlinkConst.TypeError, 0, seq, 1000, []) { Error = 0 };
        switch (op)
        {
            case Nldev.CmdGet:
                Log.Add($"dump {netns}");
                if (netns == "host" && ReturnAfterHostDumps is int n)
                {
                    // The kernel hands a dead netns's devices back asynchronously: they appear some dumps later.
                    ReturnAfterHostDumps = --n;
                    if (n <= 0)
                    {
                        foreach (var name in _devices.Keys.ToList()) _devices[name] = (_devices[name].Index, "host");
                        ReturnAfterHostDumps = null;
                    }
                }
                var list = _devices.Where(d => d.Value.Netns == netns).Select(d => new NetlinkMessage(request.Type, NetlinkConst.FlagMulti, seq, 1000,
                    [NetlinkAttribute.U32(Nldev.AttrDevIndex, d.Value.Index), NetlinkAttribute.String(Nldev.AttrDevName, d.Key)])).ToList();
                list.Add(new NetlinkMessage(NetlinkConst.TypeDone, NetlinkConst.FlagMulti, seq, 1000, []));
                return list;
            case Nldev.CmdSysGet:
                return [new NetlinkMessage(request.Type, 0, seq, 1000, [NetlinkAttribute.U8(Nldev.AttrSysNetnsMode, 0)]), ack];
            case Nldev.CmdSet:
                var index = request.U32(Nldev.AttrDevIndex);
                var target = NetnsOf((int)request.U32(Nldev.AttrNetNsFd)!.Value);
                var dev = _devices.First(d => d.Value.Index == index && d.Value.Netns == netns).Key;
                Log.Add($"move {dev} from {netns} to {target}");
                _devices[dev] = (index!.Value, target);
                return [ack];
            default:
                throw new InvalidOperationException($"unexpected nldev request {op}");
        }
    }

    sealed class FakeSocket(FakeRdmaKernel kernel, string netns) : INetlinkTransport
    {
        readonly Queue<IReadOnlyList<NetlinkMessage>> _replies = new();

        public void Send(ReadOnlySpan<byte> request)
        {
            foreach (var m in NetlinkCodec.Decode(request)) _replies.Enqueue(kernel.Handle(netns, m));
        }

        public IReadOnlyList<NetlinkMessage> Receive() => _replies.Dequeue();

        public void Dispose() { }
    }
}
