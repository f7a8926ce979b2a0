using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// Where the engine's nldev sockets come from: the kernel's, or (in tests) a stand-in for a kernel with
/// movable devices, which no machine here has. The override is per async flow, so parallel tests cannot
/// see each other's.
/// </summary>
public static class RdmaNetlink
{
    static readonly AsyncLocal<(Func<INetlinkTransport> Host, Func<int, INetlinkTransport> InNetns)?> Override = new();

    /// <summary>A socket in the runtime's own network namespace.</summary>
    public static INetlinkTransport OpenHost() => Override.Value is { } o ? o.Host() : NetlinkRdmaSocket.Open();

    /// <summary>A socket in the network namespace of <paramref name="netnsFd"/>.</summary>
    public static INetlinkTransport OpenInNetns(int netnsFd) => Override.Value is { } o ? o.InNetns(netnsFd) : NetlinkRdmaSocket.OpenInNetns(netnsFd);

    /// <summary>Tests: routes the sockets of this flow to <paramref name="host"/> and <paramref name="inNetns"/> until disposed.</summary>
    public static IDisposable Use(Func<INetlinkTransport> host, Func<int, INetlinkTransport> inNetns)
    {
        var before = Override.Value;
        Override.Value = (host, inNetns);
        return new Restore(() => Override.Value = before);
    }

    sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
