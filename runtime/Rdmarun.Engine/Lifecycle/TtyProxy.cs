using System.Runtime.InteropServices;
using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `run -t` / `exec -t` without --console-socket (as runc): we are the console socket. The init
/// sends the pty master over a socketpair; we copy our stdin to it and its output to our stdout,
/// with our terminal in raw mode so keys reach the container unchanged.
/// </summary>
public sealed unsafe partial class TtyProxy : IDisposable
{
    private readonly int _ourEnd;
    public int ChildEnd { get; private set; }
    private int _master = -1;
    private byte[]? _savedTermios;

    private TtyProxy(int ours, int child) { _ourEnd = ours; ChildEnd = child; }

    public static TtyProxy Create()
    {
        int* sv = stackalloc int[2];
        SyscallException.Check(Libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "create console socketpair");
        return new TtyProxy(sv[0], sv[1]);
    }

    /// <summary>Our copy of the child's end is closed once the init has its own (after launch).</summary>
    public void CloseChildEnd()
    {
        if (ChildEnd >= 0) Libc.close(ChildEnd);
        ChildEnd = -1;
    }

    /// <summary>Receives the pty master and starts copying in both directions.</summary>
    public void Start()
    {
        _master = FdPassing.Receive(_ourEnd, "the pty master from the container");
        CopyWindowSize();
        if (isatty(0) == 1) MakeRaw();
        new Thread(() => Pump(0, _master)) { IsBackground = true, Name = "tty-in" }.Start();
        new Thread(() => Pump(_master, 1)) { IsBackground = true, Name = "tty-out" }.Start();
    }

    private static void Pump(int from, int to)
    {
        var buf = new byte[16384];
        fixed (byte* p = buf)
        {
            while (true)
            {
                nint n = Libc.read(from, p, buf.Length);
                if (n < 0 && Libc.Errno == EINTR) continue;
                if (n <= 0) return; // EIO on the master once the container side closed
                for (nint off = 0; off < n;)
                {
                    nint w = Libc.write(to, p + off, n - off);
                    if (w < 0) { if (Libc.Errno == EINTR) continue; return; }
                    off += w;
                }
            }
        }
    }

    private void CopyWindowSize()
    {
        ushort* ws = stackalloc ushort[4];
        if (Libc.ioctl(1, 0x5413 /* TIOCGWINSZ */, (nint)ws) == 0)
            Libc.ioctl(_master, TIOCSWINSZ, (nint)ws);
    }

    private void MakeRaw()
    {
        var t = new byte[60]; // struct termios on x86-64 (60 bytes)
        fixed (byte* p = t)
        {
            if (tcgetattr(0, p) != 0) return;
            _savedTermios = (byte[])t.Clone();
            cfmakeraw(p);
            tcsetattr(0, 0 /* TCSANOW */, p);
        }
    }

    public void Dispose()
    {
        if (_savedTermios is { } t) fixed (byte* p = t) tcsetattr(0, 0, p);
        if (_master >= 0) Libc.close(_master);
        Libc.close(_ourEnd);
        CloseChildEnd();
    }

    [LibraryImport("libc")] private static partial int isatty(int fd);
    [LibraryImport("libc")] private static partial int tcgetattr(int fd, byte* termios);
    [LibraryImport("libc")] private static partial int tcsetattr(int fd, int action, byte* termios);
    [LibraryImport("libc")] private static partial void cfmakeraw(byte* termios);
}
