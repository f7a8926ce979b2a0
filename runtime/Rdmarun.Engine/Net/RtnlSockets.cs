using Rdmarun.Rdma.Rtnl;

namespace Rdmarun.Engine.Net;

/// <summary>
/// Where the engine's rtnetlink sockets come from: the kernel's, or (in tests) recorded exchanges, for the
/// devices no machine here has (an IPoIB parent). Per async flow, like <see cref="Rdma.RdmaNetlink"/>.
/// </summary>
public static class RtnlSockets
{
    static readonly AsyncLocal<(Func<IRtnlTransport> Host, Func<int, IRtnlTransport> InNetns)?> Override = new();

    /// <summary>A socket in the runtime's own network namespace.</summary>
    public static IRtnlTransport Open() => Override.Value is { } o ? o.Host() : RouteNetlinkSocket.Open();

    /// <summary>A socket in the network namespace of <paramref name="netnsFd"/>.</summary>
    public static IRtnlTransport OpenInNetns(int netnsFd) => Override.Value is { } o ? o.InNetns(netnsFd) : RouteNetlinkSocket.OpenInNetns(netnsFd);

    /// <summary>Tests: routes this flow's sockets to <paramref name="host"/> and <paramref name="inNetns"/> until disposed.</summary>
    public static IDisposable Use(Func<IRtnlTransport> host, Func<int, IRtnlTransport> inNetns)
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
