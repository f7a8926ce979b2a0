using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Tests.Netlink;

public class NetlinkCodecTests
{
    [Fact]
    public void encodes_header_and_pads_each_attribute_to_four_bytes()
    {
        var bytes = NetlinkCodec.Encode(NetlinkMessage.Request(Nldev.MessageType(Nldev.CmdGetChardev), 5, 1,
            NetlinkAttribute.U32(Nldev.AttrDevIndex, 1),
            NetlinkAttribute.String(Nldev.AttrChardevType, "uverbs")));
        Assert.Equal(Convert.ToHexString(Hex.Parse(Recordings.GetUverbsRequest)), Convert.ToHexString(bytes));
    }

    [Theory]
    [InlineData("", 8)]        // 4 + 1 NUL → 5, padded to 8
    [InlineData("abc", 8)]     // 4 + 4 → 8
    [InlineData("abcd", 12)]   // 4 + 5 → 9, padded to 12
    public void string_attribute_lengths(string value, int padded)
    {
        var bytes = NetlinkCodec.Encode(NetlinkMessage.Request(1, 0, 0, NetlinkAttribute.String(2, value)));
        Assert.Equal(16 + padded, bytes.Length);
        Assert.Equal(4 + value.Length + 1, BitConverter.ToUInt16(bytes, 16)); // nla_len excludes the padding
    }

    [Fact]
    public void round_trips_every_attribute_width()
    {
        var message = NetlinkMessage.Request(Nldev.MessageType(Nldev.CmdSet), 5, 42,
            NetlinkAttribute.U8(Nldev.AttrSysNetnsMode, 1),
            NetlinkAttribute.U32(Nldev.AttrDevIndex, 0xdeadbeef),
            NetlinkAttribute.U64(Nldev.AttrNodeGuid, 0x0102030405060708),
            NetlinkAttribute.String(Nldev.AttrDevName, "mlx5_10"));
        var decoded = Assert.Single(NetlinkCodec.Decode(NetlinkCodec.Encode(message)));
        Assert.Equal((message.Type, message.Flags, message.Sequence), (decoded.Type, decoded.Flags, decoded.Sequence));
        Assert.Equal((byte)1, decoded.U8(Nldev.AttrSysNetnsMode));
        Assert.Equal(0xdeadbeefu, decoded.U32(Nldev.AttrDevIndex));
        Assert.Equal(0x0102030405060708ul, decoded.U64(Nldev.AttrNodeGuid));
        Assert.Equal("mlx5_10", decoded.String(Nldev.AttrDevName));
        Assert.Null(decoded.Find(Nldev.AttrFwVersion));
    }

    [Fact]
    public void decodes_an_uncapped_error_and_a_capped_ack()
    {
        var error = Assert.Single(NetlinkCodec.Decode(Hex.Parse(Recordings.MoveRxeNotSupported)));
        Assert.True(error.IsError);
        Assert.Equal(Errno.EOPNOTSUPP, error.Error);
        var ack = Assert.Single(NetlinkCodec.Decode(Hex.Parse(Recordings.GetUverbsAck)));
        Assert.Equal(0, ack.Error);
    }

    [Fact]
    public void reads_the_extended_ack_message()
    {
        // Capped error with NLM_F_ACK_TLVS and NLMSGERR_ATTR_MSG "device is busy".
        var datagram = Hex.Parse("""
            38000000 0200 0003 01000000 e8030000
            f0ffffff
            18000000 0714 0500 01000000 00000000
            1300 0100 64657669636520697320627573790000
            """);
        var m = Assert.Single(NetlinkCodec.Decode(datagram));
        Assert.Equal(Errno.EBUSY, m.Error);
        Assert.Equal("device is busy", m.ExtendedAckMessage);
    }

    [Fact]
    public void an_echoed_length_beyond_the_message_is_ignored()
    {
        // NLM_F_ACK_TLVS without NLM_F_CAPPED and an echoed nlmsg_len of 0xffffffff.
        var m = Assert.Single(NetlinkCodec.Decode(Hex.Parse("24000000 0200 0002 01000000 e8030000 f0ffffff ffffffff 0714 0500 01000000 00000000")));
        Assert.Equal(Errno.EBUSY, m.Error);
        Assert.Null(m.ExtendedAckMessage);
    }

    [Fact]
    public void truncated_messages_are_format_errors()
    {
        var bytes = Hex.Parse(Recordings.GetUverbsReply);
        var e = Assert.Throws<NetlinkFormatException>(() => NetlinkCodec.Decode(bytes.AsSpan(0, 40)));
        Assert.Equal("netlink message at offset 0 has length 52, 40 bytes left", e.Message);

        var badAttr = (byte[])bytes.Clone();
        badAttr[16] = 0x40; // first nla_len far beyond the message
        Assert.Throws<NetlinkFormatException>(() => NetlinkCodec.Decode(badAttr));
    }

    [Theory]
    [InlineData(231, 192, 0xe7c0ul)]
    [InlineData(231, 0, 0xe700ul)]
    [InlineData(10, 57, 0x0a39ul)]
    [InlineData(511, 300, 0x11ff2cul)]
    public void dev_t_encoding_matches_the_kernel(int major, int minor, ulong encoded)
    {
        Assert.Equal(encoded, NldevFormat.EncodeDev(major, minor));
        Assert.Equal((major, minor), NldevFormat.DecodeDev(encoded));
    }

    [Fact]
    public void message_type_and_op()
    {
        Assert.Equal(0x1401, Nldev.MessageType(Nldev.CmdGet));
        Assert.Equal(0x140f, Nldev.MessageType(Nldev.CmdGetChardev));
        Assert.Equal(Nldev.CmdSysSet, Nldev.Op(0x1407));
    }
}
