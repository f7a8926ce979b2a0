namespace Rdmarun.Rdma.Rtnl;

/// <summary>Where rtnetlink requests go: <see cref="RouteNetlinkSocket"/>, or a replay of recorded bytes in tests.</summary>
public interface IRtnlTransport : IDisposable
{
    void Send(ReadOnlySpan<byte> request);

    /// <summary>Blocks for the next datagram from the kernel.</summary>
    byte[] Receive();
}
