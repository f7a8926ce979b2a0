using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>Annotated hex: '#' starts a comment, whitespace is ignored.</summary>
public static class Hex
{
    public static byte[] Parse(string annotated)
    {
        var clean = string.Concat(annotated.Split('\n').Select(line =>
        {
            var hash = line.IndexOf('#');
            return new string((hash >= 0 ? line[..hash] : line).Where(c => !char.IsWhiteSpace(c)).ToArray());
        }));
        return Convert.FromHexString(clean);
    }
}

/// <summary>
/// Replays a recorded exchange: each request must equal the recorded bytes exactly, then its recorded reply
/// datagrams are handed out one per Receive.
/// </summary>
public sealed class ReplayTransport(params (string Request, string[] Replies)[] exchanges) : INetlinkTransport
{
    readonly Queue<(string Request, string[] Replies)> _script = new(exchanges);
    readonly Queue<byte[]> _pending = new();

    public void Send(ReadOnlySpan<byte> request)
    {
        Assert.True(_script.Count > 0, $"unexpected request {Convert.ToHexString(request)}");
        var (expected, replies) = _script.Dequeue();
        Assert.Equal(Convert.ToHexString(Hex.Parse(expected)), Convert.ToHexString(request));
        foreach (var r in replies) _pending.Enqueue(Hex.Parse(r));
    }

    public IReadOnlyList<NetlinkMessage> Receive()
    {
        Assert.True(_pending.Count > 0, "the client waits for a datagram the recording does not have");
        return NetlinkCodec.Decode(_pending.Dequeue());
    }

    public bool Finished => _script.Count == 0 && _pending.Count == 0;

    public void Dispose() { }
}
