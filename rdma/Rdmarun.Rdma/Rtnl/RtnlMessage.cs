using System.Buffers.Binary;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>
/// One rtnetlink message: the nlmsghdr fields, the family header that precedes the attributes (ifinfomsg,
/// ifaddrmsg, tcmsg) and the attributes; for NLMSG_ERROR/DONE the errno and extended-ack text.
/// </summary>
public sealed record RtnlMessage(ushort Type, ushort Flags, uint Sequence, byte[] FamilyHeader, IReadOnlyList<NetlinkAttribute> Attributes)
{
    public int Error { get; init; }
    public string? ExtendedAckMessage { get; init; }
    public bool IsError => Type == NetlinkConst.TypeError;
    public bool IsDone => Type == NetlinkConst.TypeDone;

    public NetlinkAttribute? Find(ushort kind)
    {
        foreach (var a in Attributes)
            if (a.Kind == kind) return a;
        return null;
    }
}

/// <summary>Encoding and decoding of rtnetlink messages; the TLV rules are the generic netlink ones.</summary>
public static class RtnlCodec
{
    public static byte[] Encode(ushort type, ushort flags, uint sequence, ReadOnlySpan<byte> familyHeader, IReadOnlyList<NetlinkAttribute> attributes)
    {
        var attrs = EncodeAttributes(attributes);
        var length = NetlinkConst.HeaderLength + NetlinkCodec.Align(familyHeader.Length) + attrs.Length;
        var buffer = new byte[length];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        familyHeader.CopyTo(span[NetlinkConst.HeaderLength..]);
        attrs.CopyTo(span[(NetlinkConst.HeaderLength + NetlinkCodec.Align(familyHeader.Length))..]);
        return buffer;
    }

    /// <summary>TLVs back to back, each padded to 4 bytes; also the value of a nested attribute.</summary>
    public static byte[] EncodeAttributes(IReadOnlyList<NetlinkAttribute> attributes)
    {
        var length = 0;
        foreach (var a in attributes) length += NetlinkCodec.Align(4 + a.Value.Length);
        var buffer = new byte[length];
        var offset = 0;
        foreach (var a in attributes)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset), (ushort)(4 + a.Value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset + 2), a.Type);
            a.Value.Span.CopyTo(buffer.AsSpan(offset + 4));
            offset += NetlinkCodec.Align(4 + a.Value.Length);
        }
        return buffer;
    }

    public static NetlinkAttribute Nested(ushort type, params NetlinkAttribute[] inner)
        => new((ushort)(type | NetlinkAttribute.NestedFlag), EncodeAttributes(inner));

    /// <summary>The family header's size follows from the message type.</summary>
    static int FamilyHeaderLength(ushort type) => type switch
    {
        >= 16 and <= 19 => Rtnl.IfinfomsgLength,
        >= 20 and <= 23 => Rtnl.IfaddrmsgLength,
        >= 36 and <= 47 => Rtnl.TcmsgLength,
        _ => 0,
    };

    public static List<RtnlMessage> Decode(ReadOnlySpan<byte> datagram)
    {
        var list = new List<RtnlMessage>();
        var offset = 0;
        while (datagram.Length - offset >= NetlinkConst.HeaderLength)
        {
            var header = datagram[offset..];
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length < NetlinkConst.HeaderLength || length > header.Length)
                throw new NetlinkFormatException($"netlink message at offset {offset} has length {length}, {header.Length} bytes left");
            var type = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
            if (type is NetlinkConst.TypeError or NetlinkConst.TypeDone or NetlinkConst.TypeNoop)
            {
                // The generic codec knows nlmsgerr and the ext-ack TLVs.
                var m = NetlinkCodec.Decode(header[..length])[0];
                list.Add(new RtnlMessage(m.Type, m.Flags, m.Sequence, [], []) { Error = m.Error, ExtendedAckMessage = m.ExtendedAckMessage });
            }
            else
            {
                var fixedLength = FamilyHeaderLength(type);
                var payload = header[NetlinkConst.HeaderLength..length];
                if (payload.Length < fixedLength)
                    throw new NetlinkFormatException($"rtnetlink message type {type} has {payload.Length} bytes, expected at least {fixedLength}");
                list.Add(new RtnlMessage(type, BinaryPrimitives.ReadUInt16LittleEndian(header[6..]), BinaryPrimitives.ReadUInt32LittleEndian(header[8..]),
                    payload[..fixedLength].ToArray(), NetlinkCodec.DecodeAttributes(payload[NetlinkCodec.Align(fixedLength)..])));
            }
            offset += NetlinkCodec.Align(length);
        }
        return list;
    }
}
