using CsCheck;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Tests.Netlink;

public class NetlinkCodecPropertyTests
{
    static readonly Gen<NetlinkAttribute> Attribute =
        Gen.Select(Gen.UShort[0, 0x3fff], Gen.Byte.Array[0, 40], (type, value) => new NetlinkAttribute(type, value));

    [Fact]
    public void any_message_round_trips()
    {
        Gen.Select(Gen.UShort[16, 0xffff], Gen.UShort, Gen.UInt, Attribute.Array[0, 12])
            .Sample((type, flags, seq, attrs) =>
            {
                var bytes = NetlinkCodec.Encode(NetlinkMessage.Request(type, flags, seq, attrs));
                Assert.Equal(0, bytes.Length % 4);
                var m = Assert.Single(NetlinkCodec.Decode(bytes));
                Assert.Equal((type, flags, seq), (m.Type, m.Flags, m.Sequence));
                Assert.Equal(attrs.Select(a => (a.Type, Convert.ToHexString(a.Value.Span))),
                    m.Attributes.Select(a => (a.Type, Convert.ToHexString(a.Value.Span))));
            });
    }

    [Fact]
    public void arbitrary_bytes_decode_or_fail_with_a_format_error_only()
    {
        // What the kernel sends is trusted less than it seems: a wrong length must never become an
        // IndexOutOfRange or an endless loop.
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            try { NetlinkCodec.Decode(bytes); }
            catch (NetlinkFormatException) { }
        });
    }

    [Fact]
    public void mutated_real_replies_decode_or_fail_with_a_format_error_only()
    {
        var real = Hex.Parse(Recordings.DeviceDumpReply);
        Gen.Select(Gen.Int[0, real.Length - 1], Gen.Byte).Array[1, 4].Sample(edits =>
        {
            var copy = (byte[])real.Clone();
            foreach (var (at, value) in edits) copy[at] = value;
            try { NetlinkCodec.Decode(copy); }
            catch (NetlinkFormatException) { }
        });
    }
}
