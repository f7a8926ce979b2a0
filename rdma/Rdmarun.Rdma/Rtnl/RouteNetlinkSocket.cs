using System.Runtime.InteropServices;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>A NETLINK_ROUTE socket, in the caller's network namespace or (<see cref="OpenInNetns"/>) in another one.</summary>
public sealed partial class RouteNetlinkSocket : IRtnlTransport
{
    const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, EINTR = 4;
    const int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    struct SockaddrNl { public ushort Family; public ushort Pad; public uint Pid; public uint Groups; }

    [LibraryImport("libc", SetLastError = true)] private static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] private static unsafe partial int bind(int fd, SockaddrNl* addr, uint len);
    [LibraryImport("libc", SetLastError = true)] private static unsafe partial int setsockopt(int fd, int level, int name, int* value, uint len);
    [LibraryImport("libc", SetLastError = true)] private static unsafe partial nint sendto(int fd, byte* buf, nuint len, int flags, SockaddrNl* addr, uint addrLen);
    [LibraryImport("libc", SetLastError = true)] private static unsafe partial nint recv(int fd, byte* buf, nuint len, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int setns(int fd, int nstype);
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_(string path, int flags);

    int _fd;
    // An address dump of a busy host can fill 32 KiB datagrams.
    readonly byte[] _buffer = new byte[64 * 1024];

    RouteNetlinkSocket(int fd) => _fd = fd;

    public static unsafe RouteNetlinkSocket Open()
    {
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, Rtnl.NetlinkRoute);
        if (fd < 0) throw Failure("open a NETLINK_ROUTE socket");
        var addr = new SockaddrNl { Family = AF_NETLINK };
        if (bind(fd, &addr, (uint)sizeof(SockaddrNl)) < 0)
        {
            var e = Failure("bind the NETLINK_ROUTE socket");
            close(fd);
            throw e;
        }
        int one = 1;
        setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(int)); // best effort: only adds error text
        return new RouteNetlinkSocket(fd);
    }

    /// <summary>
    /// A socket created inside the netns of <paramref name="netnsFd"/>: rtnetlink finds devices by index and name
    /// only in its socket's netns. setns() on a dedicated thread, so no pool thread stays in the container's netns.
    /// </summary>
    public static RouteNetlinkSocket OpenInNetns(int netnsFd)
    {
        RouteNetlinkSocket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var own = open_("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
                if (own < 0) throw Failure("open /proc/thread-self/ns/net");
                try
                {
                    if (setns(netnsFd, CLONE_NEWNET) < 0) throw Failure($"enter the network namespace of fd {netnsFd}");
                    try { socket = Open(); }
                    finally { setns(own, CLONE_NEWNET); }
                }
                finally { close(own); }
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw failure!;
    }

    public unsafe void Send(ReadOnlySpan<byte> request)
    {
        var kernel = new SockaddrNl { Family = AF_NETLINK };
        fixed (byte* p = request)
        {
            nint n;
            do n = sendto(_fd, p, (nuint)request.Length, 0, &kernel, (uint)sizeof(SockaddrNl));
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (n < 0) throw Failure("send to the NETLINK_ROUTE socket");
        }
    }

    public unsafe byte[] Receive()
    {
        nint n;
        fixed (byte* p = _buffer)
        {
            do n = recv(_fd, p, (nuint)_buffer.Length, 0);
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }
        if (n < 0) throw Failure("receive from the NETLINK_ROUTE socket");
        return _buffer.AsSpan(0, (int)n).ToArray();
    }

    static RtnlException Failure(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new RtnlException($"netdev: cannot {what}: {Errno.Text(errno)}", errno);
    }

    public void Dispose()
    {
        if (_fd >= 0) close(_fd);
        _fd = -1;
    }
}

/// <summary>An rtnetlink operation the kernel refused (positive errno), or a refusal of ours before any change.</summary>
public sealed class RtnlException(string message, int errno, string? kernelMessage = null) : Exception(message)
{
    public int Errno { get; } = errno;
    public string? KernelMessage { get; } = kernelMessage;
}
