using Rdmarun.Rdma.Rtnl;
using Rdmarun.Rdma.Tests.Netlink;

namespace Rdmarun.Rdma.Tests.Rtnl;

/// <summary>Replays an rtnetlink exchange: each request must equal the annotated hex exactly; replies are handed out in order.</summary>
public sealed class RtnlReplay(params (string Request, string[] Replies)[] exchanges) : IRtnlTransport
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

    public byte[] Receive()
    {
        Assert.True(_pending.Count > 0, "the client waits for a datagram the recording does not have");
        return _pending.Dequeue();
    }

    public bool Finished => _script.Count == 0 && _pending.Count == 0;

    public void Dispose() { }
}

/// <summary>Kernel replies for the fixtures; the length field is computed, everything else is spelled out.</summary>
public static class RtnlReplies
{
    public static string Message(int type, int flags, int seq, string body)
    {
        var bytes = Hex.Parse(body);
        return $"{16 + bytes.Length:x2}000000 {type:x2}00 {flags:x2}{flags >> 8:x2} {seq:x2}000000 e8030000 {Convert.ToHexString(bytes)}";
    }

    /// <summary>NLMSG_ERROR 0 (ACK), with the request's header echoed (capped).</summary>
    public static string Ack(int seq) => $"24000000 0200 0001 {seq:x2}000000 e8030000 00000000 00000000 0000 0000 {seq:x2}000000 00000000";

    public static string Error(int seq, int errno) =>
        $"24000000 0200 0001 {seq:x2}000000 e8030000 {-errno & 0xff:x2}ffffff 00000000 0000 0000 {seq:x2}000000 00000000";

    public static string Done(int seq) => $"14000000 0300 0200 {seq:x2}000000 e8030000 00000000";

    /// <summary>RTM_NEWLINK for a device: ifinfomsg (ARPHRD_ETHER) + IFLA_IFNAME (+ IFLA_LINKINFO/IFLA_INFO_KIND).</summary>
    public static string Link(int seq, int index, string name, bool up, string? kind = null, string? mac = null)
    {
        var nameHex = Attr(3, Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(name + "\0")))
            + (mac is null ? "" : " " + Attr(1, mac.Replace(":", "")));
        var kindHex = kind is null ? "" : Attr(0x12, Attr(1, Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(kind + "\0"))));
        return Message(0x10, 0, seq, $"00 00 0100 {index:x2}000000 {(up ? "43100100" : "02100000")} 00000000 {nameHex} {kindHex}");
    }

    /// <summary>RTM_NEWADDR (multi) for IPv4: IFA_ADDRESS + IFA_LOCAL.</summary>
    public static string Addr4(int seq, int index, string hexIp, int prefix, int flags = 0x80, int scope = 0)
        => Message(0x14, 2, seq, $"02 {prefix:x2} {flags:x2} {scope:x2} {index:x2}000000 {Attr(1, hexIp)} {Attr(2, hexIp)}");

    public static string Addr6(int seq, int index, string hexIp, int prefix, int flags, int scope)
        => Message(0x14, 2, seq, $"0a {prefix:x2} {flags:x2} {scope:x2} {index:x2}000000 {Attr(1, hexIp)}");

    static string Attr(int type, string valueHex)
    {
        var v = Hex.Parse(valueHex);
        var pad = new string('0', ((4 - v.Length % 4) % 4) * 2);
        return $"{4 + v.Length:x2}00 {type:x2}00 {Convert.ToHexString(v)}{pad}";
    }
}
