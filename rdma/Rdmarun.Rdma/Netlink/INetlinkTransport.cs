namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// Where nldev requests go. The real one is <see cref="NetlinkRdmaSocket"/>; tests replay recorded byte streams.
/// </summary>
public interface INetlinkTransport : IDisposable
{
    /// <summary>Sends one encoded request.</summary>
    void Send(ReadOnlySpan<byte> request);

    /// <summary>Blocks for the next datagram from the kernel and returns the messages in it.</summary>
    IReadOnlyList<NetlinkMessage> Receive();
}
