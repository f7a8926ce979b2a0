using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>
/// A stand-in for a bus on a unix socket that keeps the bytes a client sends: it answers the SASL lines and
/// Hello, records the next message as it came over the wire, and answers it with an error. The message is
/// never decoded by the code under test, so the test sees exactly what a real bus would get.
/// </summary>
public sealed class WireRecordingBus : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rdmarun-wire-");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly Task<byte[]> _recorded;

    public const string ErrorName = "org.example.Recorded";

    public WireRecordingBus()
    {
        var path = Path.Combine(_dir.FullName, "bus");
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(1);
        Address = $"unix:path={path}";
        _recorded = Task.Run(Serve);
    }

    public string Address { get; }

    /// <summary>The recorded message (fixed header, header fields, padding, body).</summary>
    public byte[] Recorded => _recorded.GetAwaiter().GetResult();

    /// <summary>The body of the recorded message: what follows the header, padded to 8.</summary>
    public byte[] Body
    {
        get
        {
            var m = Recorded;
            int fields = (int)BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(12));
            return m[Align(16 + fields, 8)..];
        }
    }

    private byte[] Serve()
    {
        using var s = _listener.Accept();
        using var stream = new NetworkStream(s);
        if (stream.ReadByte() != 0) throw new InvalidDataException("wire bus: no leading NUL byte");
        for (string line; (line = ReadLine(stream)) != "BEGIN";)
        {
            string answer = line.StartsWith("AUTH ") ? "OK 0123456789abcdef0123456789abcdef"
                : line == "NEGOTIATE_UNIX_FD" ? "ERROR" // no fd passing: keeps the connection plain
                : throw new InvalidDataException($"wire bus: unexpected SASL line '{line}'");
            stream.Write(Encoding.ASCII.GetBytes(answer + "\r\n"));
        }
        var hello = ReadMessage(stream);
        stream.Write(Reply(hello, errorName: null, body: ":1.1"));
        var call = ReadMessage(stream);
        stream.Write(Reply(call, ErrorName, body: "recorded"));
        return call;
    }

    private static string ReadLine(Stream s)
    {
        var sb = new StringBuilder();
        for (int b; (b = s.ReadByte()) != '\n';)
        {
            if (b < 0) throw new EndOfStreamException("wire bus: client closed during SASL");
            if (b != '\r') sb.Append((char)b);
        }
        return sb.ToString();
    }

    private static byte[] ReadMessage(Stream s)
    {
        var fixedHeader = new byte[16];
        s.ReadExactly(fixedHeader);
        if (fixedHeader[0] != (byte)'l') throw new InvalidDataException("wire bus: only little-endian messages are expected");
        int body = (int)BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(4));
        int fields = (int)BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(12));
        var m = new byte[Align(16 + fields, 8) + body];
        fixedHeader.CopyTo(m, 0);
        s.ReadExactly(m.AsSpan(16));
        return m;
    }

    /// <summary>A method return (errorName null) or an error to <paramref name="call"/>, with one string as body.</summary>
    private static byte[] Reply(byte[] call, string? errorName, string body)
    {
        var h = new List<byte> { (byte)'l', errorName is null ? (byte)2 : (byte)3, 1 /* no reply expected */, 1 };
        h.AddRange(new byte[4]); // body length, set below
        h.AddRange(BitConverter.GetBytes(1000u)); // serial
        h.AddRange(new byte[4]); // header fields length, set below
        int fieldsStart = h.Count;
        Field(h, 5, "u"); h.AddRange(call.AsSpan(8, 4).ToArray()); // REPLY_SERIAL = the call's serial
        if (errorName is not null) { Field(h, 4, "s"); String(h, errorName); }
        Field(h, 8, "g"); h.AddRange(new byte[] { 1, (byte)'s', 0 }); // SIGNATURE "s"
        BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(h)[12..], (uint)(h.Count - fieldsStart));
        Pad(h, 8);
        int bodyStart = h.Count;
        String(h, body);
        BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(h)[4..], (uint)(h.Count - bodyStart));
        return h.ToArray();
    }

    // A header field: struct (8-aligned) of the field code and a variant of one basic type.
    private static void Field(List<byte> h, byte code, string sig)
    {
        Pad(h, 8);
        h.Add(code);
        h.Add(1); h.Add((byte)sig[0]); h.Add(0);
        Pad(h, sig == "g" ? 1 : 4);
    }

    private static void String(List<byte> h, string v)
    {
        Pad(h, 4);
        h.AddRange(BitConverter.GetBytes((uint)v.Length));
        h.AddRange(Encoding.UTF8.GetBytes(v));
        h.Add(0);
    }

    private static void Pad(List<byte> h, int n) { while (h.Count % n != 0) h.Add(0); }
    private static int Align(int offset, int n) => (offset + n - 1) / n * n;

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Delete(recursive: true);
    }
}
