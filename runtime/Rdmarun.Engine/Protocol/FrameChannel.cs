using System.Buffers.Binary;
using System.Text;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Protocol;

/// <summary>
/// Length-prefixed frames over the init socket (runtime/native/PROTOCOL.md): u32 little-endian
/// length, then the payload. Raw read/write on the fd so the same code works before and after
/// pivot_root and needs no .NET socket machinery in the init.
/// </summary>
public sealed unsafe class FrameChannel : IDisposable
{
    private const int MaxFrame = 64 << 20;
    public int Fd { get; private set; }

    public FrameChannel(int fd) => Fd = fd;

    public void Send(ReadOnlySpan<byte> payload)
    {
        Span<byte> hdr = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(hdr, (uint)payload.Length);
        WriteAll(hdr);
        WriteAll(payload);
    }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    /// <summary>Next frame, or null at end of stream (the peer closed or exec'ed).</summary>
    public byte[]? Receive()
    {
        Span<byte> hdr = stackalloc byte[4];
        if (!ReadAll(hdr, allowEof: true)) return null;
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(hdr);
        if (len > MaxFrame) throw new InvalidDataException($"init socket: frame of {len} bytes is too large");
        var buf = new byte[len];
        ReadAll(buf, allowEof: false);
        return buf;
    }

    public string? ReceiveText()
    {
        var b = Receive();
        return b is null ? null : Encoding.UTF8.GetString(b);
    }

    private void WriteAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                nint n = Libc.write(Fd, p + off, data.Length - off);
                if (n < 0)
                {
                    int e = Libc.Errno;
                    if (e == LibcConst.EINTR) continue;
                    throw new SyscallException("init socket: write", e);
                }
                off += (int)n;
            }
        }
    }

    private bool ReadAll(Span<byte> buf, bool allowEof)
    {
        fixed (byte* p = buf)
        {
            int off = 0;
            while (off < buf.Length)
            {
                nint n = Libc.read(Fd, p + off, buf.Length - off);
                if (n < 0)
                {
                    int e = Libc.Errno;
                    if (e == LibcConst.EINTR) continue;
                    throw new SyscallException("init socket: read", e);
                }
                if (n == 0)
                {
                    if (allowEof && off == 0) return false;
                    throw new EndOfStreamException("init socket: the other side closed in the middle of a frame");
                }
                off += (int)n;
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (Fd >= 0) Libc.close(Fd);
        Fd = -1;
    }
}
