using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Rdmarun.Conformance;

/// <summary>
/// The --console-socket peer: listens on a unix socket, accepts the runtime's connection and takes the pty
/// master it sends as SCM_RIGHTS ancillary data. .NET has no API for fd passing, hence recvmsg.
/// </summary>
sealed class ConsoleSocketServer : IDisposable
{
    readonly Socket _listener;
    public string Path { get; }

    public ConsoleSocketServer(string path)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(1);
    }

    public Task<PtyMaster> ReceivePtyMasterAsync(TimeSpan timeout) => Task.Run(() =>
    {
        if (!_listener.Poll(timeout, SelectMode.SelectRead))
            throw new CaseFailedException($"the runtime never connected to {Path}");
        using var conn = _listener.Accept();
        if (!conn.Poll(timeout, SelectMode.SelectRead))
            throw new CaseFailedException($"the runtime connected to {Path} but sent nothing");
        return new PtyMaster(ReceiveFd((int)conn.Handle));
    });

    static unsafe int ReceiveFd(int socket)
    {
        byte* data = stackalloc byte[4096];
        // cmsghdr (16 bytes on 64-bit) + one int, padded: CMSG_SPACE(sizeof(int)) = 24.
        byte* control = stackalloc byte[64];
        var iov = new Iovec { Base = data, Len = 4096 };
        var msg = new Msghdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        long n;
        do n = recvmsg(socket, &msg, 0);
        while (n < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */);
        if (n < 0)
            throw new CaseFailedException($"recvmsg on the console socket failed: errno {Marshal.GetLastPInvokeError()}");
        if (msg.ControlLen < 20)
            throw new CaseFailedException($"the console socket message carried no fd (payload \"{Encoding.UTF8.GetString(data, (int)n)}\")");
        var hdr = (Cmsghdr*)control;
        if (hdr->Level != 1 /* SOL_SOCKET */ || hdr->Type != 1 /* SCM_RIGHTS */)
            throw new CaseFailedException($"unexpected control message level {hdr->Level} type {hdr->Type} on the console socket");
        return *(int*)(control + sizeof(Cmsghdr));
    }

    public void Dispose()
    {
        _listener.Dispose();
        try { File.Delete(Path); } catch (IOException) { }
    }

    [StructLayout(LayoutKind.Sequential)]
    unsafe struct Iovec { public void* Base; public nuint Len; }

    [StructLayout(LayoutKind.Sequential)]
    unsafe struct Msghdr
    {
        public void* Name; public uint NameLen; public Iovec* Iov; public nuint IovLen;
        public void* Control; public nuint ControlLen; public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct Cmsghdr { public nuint Len; public int Level; public int Type; }

    [DllImport("libc", SetLastError = true)]
    static extern unsafe long recvmsg(int sockfd, Msghdr* msg, int flags);
}

/// <summary>A received pty master fd, read with poll so a silent container cannot hang the harness.</summary>
sealed class PtyMaster(int fd) : IDisposable
{
    public async Task<string> ReadUntilAsync(string needle, TimeSpan timeout) => await Task.Run(() =>
    {
        var text = new StringBuilder();
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[4096];
        while (!text.ToString().Contains(needle) && DateTime.UtcNow < deadline)
        {
            var pfd = new PollFd { Fd = fd, Events = 1 /* POLLIN */ };
            if (poll(ref pfd, 1, 100) <= 0)
                continue;
            long n = read(fd, buffer, buffer.Length);
            if (n <= 0)
                break; // EIO once every slave is closed
            text.Append(Encoding.UTF8.GetString(buffer, 0, (int)n));
        }
        return text.ToString();
    });

    public void Dispose() => close(fd);

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd { public int Fd; public short Events; public short Revents; }

    [DllImport("libc", SetLastError = true)] static extern int poll(ref PollFd fds, nuint nfds, int timeout);
    [DllImport("libc", SetLastError = true)] static extern long read(int fd, byte[] buf, long count);
    [DllImport("libc")] static extern int close(int fd);
}
