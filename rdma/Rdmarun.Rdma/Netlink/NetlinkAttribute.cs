using System.Buffers.Binary;
using System.Text;

namespace Rdmarun.Rdma.Netlink;

/// <summary>One nlattr TLV. Values are host byte order (little-endian on every platform we build for).</summary>
public readonly record struct NetlinkAttribute(ushort Type, ReadOnlyMemory<byte> Value)
{
    public const ushort NestedFlag = 0x8000;
    public const ushort ByteOrderFlag = 0x4000;

    /// <summary>The type without the nested/byte-order flag bits.</summary>
    public ushort Kind => (ushort)(Type & ~(NestedFlag | ByteOrderFlag));

    public byte AsU8() => Value.Length >= 1 ? Value.Span[0] : throw Short(1);
    public uint AsU32() => Value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Value.Span) : throw Short(4);
    public ulong AsU64() => Value.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Value.Span) : throw Short(8);

    /// <summary>NUL-terminated string (NLA_NUL_STRING); a missing terminator is tolerated.</summary>
    public string AsString()
    {
        var span = Value.Span;
        var nul = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? span[..nul] : span);
    }

    public static NetlinkAttribute U8(ushort type, byte value) => new(type, new[] { value });

    public static NetlinkAttribute U16(ushort type, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return new(type, b);
    }

    public static NetlinkAttribute U32(ushort type, uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return new(type, b);
    }

    public static NetlinkAttribute U64(ushort type, ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return new(type, b);
    }

    public static NetlinkAttribute String(ushort type, string value)
    {
        var b = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, b);
        return new(type, b);
    }

    NetlinkFormatException Short(int need)
        => new($"netlink attribute {Kind} has {Value.Length} bytes, expected at least {need}");
}
