using System.Buffers.Binary;

namespace Rdmarun.Rdma.Netlink;

/// <summary>Byte encoding of netlink messages: nlmsghdr then nlattr TLVs, each padded to 4 bytes (NLMSG_ALIGN/NLA_ALIGN).</summary>
public static class NetlinkCodec
{
    const int AttrHeader = 4;

    public static int Align(int length) => (length + 3) & ~3;

    public static byte[] Encode(NetlinkMessage message)
    {
        var length = NetlinkConst.HeaderLength;
        foreach (var a in message.Attributes) length += Align(AttrHeader + a.Value.Length);

        var buffer = new byte[length];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], message.Type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], message.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], message.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], message.PortId);

        var offset = NetlinkConst.HeaderLength;
        foreach (var a in message.Attributes)
        {
            // nla_len counts header + payload but not the trailing padding.
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)(AttrHeader + a.Value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 2)..], a.Type);
            a.Value.Span.CopyTo(span[(offset + AttrHeader)..]);
            offset += Align(AttrHeader + a.Value.Length);
        }
        return buffer;
    }

    /// <summary>Splits one received datagram into its messages.</summary>
    public static List<NetlinkMessage> Decode(ReadOnlySpan<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        var offset = 0;
        while (datagram.Length - offset >= NetlinkConst.HeaderLength)
        {
            var header = datagram[offset..];
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length < NetlinkConst.HeaderLength || length > header.Length)
                throw new NetlinkFormatException($"netlink message at offset {offset} has length {length}, {header.Length} bytes left");

            var type = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            var seq = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            var pid = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
            var payload = header[NetlinkConst.HeaderLength..length];

            messages.Add(type switch
            {
                NetlinkConst.TypeError => DecodeError(type, flags, seq, pid, payload),
                // NLMSG_DONE carries the dump's final status as an int (negative errno).
                NetlinkConst.TypeDone => new NetlinkMessage(type, flags, seq, pid, [])
                {
                    Error = payload.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(payload) : 0,
                },
                NetlinkConst.TypeNoop => new NetlinkMessage(type, flags, seq, pid, []),
                _ => new NetlinkMessage(type, flags, seq, pid, DecodeAttributes(payload)),
            });
            offset += Align(length);
        }
        return messages;
    }

    public static List<NetlinkAttribute> DecodeAttributes(ReadOnlySpan<byte> payload)
    {
        var list = new List<NetlinkAttribute>();
        var offset = 0;
        while (payload.Length - offset >= AttrHeader)
        {
            var len = BinaryPrimitives.ReadUInt16LittleEndian(payload[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(payload[(offset + 2)..]);
            if (len < AttrHeader || len > payload.Length - offset)
                throw new NetlinkFormatException($"netlink attribute {type} at offset {offset} has length {len}, {payload.Length - offset} bytes left");
            list.Add(new NetlinkAttribute(type, payload.Slice(offset + AttrHeader, len - AttrHeader).ToArray()));
            offset += Align(len);
        }
        return list;
    }

    /// <summary>struct nlmsgerr { int error; struct nlmsghdr msg; } + echoed payload unless capped + ext-ack TLVs.</summary>
    static NetlinkMessage DecodeError(ushort type, ushort flags, uint seq, uint pid, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4 + NetlinkConst.HeaderLength)
            throw new NetlinkFormatException($"netlink error message has {payload.Length} bytes, expected at least 20");
        var error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        string? extAck = null;
        if ((flags & NetlinkConst.FlagAckTlvs) != 0)
        {
            var tlvStart = 4 + NetlinkConst.HeaderLength;
            if ((flags & NetlinkConst.FlagCapped) == 0)
            {
                var origLength = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
                tlvStart = origLength <= (uint)payload.Length ? 4 + Align((int)origLength) : int.MaxValue;
            }
            if (tlvStart <= payload.Length)
            {
                foreach (var a in DecodeAttributes(payload[tlvStart..]))
                    if (a.Kind == NetlinkConst.ErrAttrMsg) extAck = a.AsString();
            }
        }
        return new NetlinkMessage(type, flags, seq, pid, []) { Error = -error, ExtendedAckMessage = extAck };
    }
}
