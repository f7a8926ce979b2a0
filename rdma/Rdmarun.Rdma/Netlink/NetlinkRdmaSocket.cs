using System.Runtime.InteropServices;

namespace Rdmarun.Rdma.Netlink;

/// <summary>A raw AF_NETLINK/NETLINK_RDMA socket bound to an automatic port id.</summary>
public sealed partial class NetlinkRdmaSocket : INetlinkTransport
{
    const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, SOL_NETLINK = 270, NETLINK_EXT_ACK = 11;

    [StructLayout(LayoutKind.Sequential)]
    struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int bind(int fd, SockaddrNl* addr, uint len);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, int* value, uint len);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint sendto(int fd, byte* buf, nuint len, int flags, SockaddrNl* addr, uint addrLen);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buf, nuint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    const int EINTR = 4;
    int _fd;

    // Large enough for one dump datagram: the kernel sizes dump skbs to at most 32 KiB by default.
    readonly byte[] _buffer = new byte[64 * 1024];

    NetlinkRdmaSocket(int fd) => _fd = fd;

    /// <summary>Opens the socket; fails with EPROTONOSUPPORT when ib_core is not loaded.</summary>
    public static unsafe NetlinkRdmaSocket Open()
    {
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, Nldev.NetlinkRdma);
        if (fd < 0) throw Failure("open a NETLINK_RDMA socket (is ib_core loaded?)");
        var addr = new SockaddrNl { Family = AF_NETLINK };
        if (bind(fd, &addr, (uint)sizeof(SockaddrNl)) < 0)
        {
            var e = Failure("bind the NETLINK_RDMA socket");
            close(fd);
            throw e;
        }
        // Ask for the kernel's extended-ack text; older kernels ignore the option, so errors here do not matter.
        int one = 1;
        setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(int));
        return new NetlinkRdmaSocket(fd);
    }

    public unsafe void Send(ReadOnlySpan<byte> request)
    {
        var kernel = new SockaddrNl { Family = AF_NETLINK };
        fixed (byte* p = request)
        {
            nint n;
            do n = sendto(_fd, p, (nuint)request.Length, 0, &kernel, (uint)sizeof(SockaddrNl));
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (n < 0) throw Failure("send to the NETLINK_RDMA socket");
        }
    }

    public IReadOnlyList<NetlinkMessage> Receive() => NetlinkCodec.Decode(ReceiveDatagram());

    /// <summary>The next datagram as raw bytes (for tracing and for recording test fixtures).</summary>
    public unsafe byte[] ReceiveDatagram()
    {
        nint n;
        fixed (byte* p = _buffer)
        {
            do n = recv(_fd, p, (nuint)_buffer.Length, 0);
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }
        if (n < 0) throw Failure("receive from the NETLINK_RDMA socket");
        return _buffer.AsSpan(0, (int)n).ToArray();
    }

    static RdmaNetlinkException Failure(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new RdmaNetlinkException($"rdma: cannot {what}: {Errno.Text(errno)}", errno);
    }

    public void Dispose()
    {
        if (_fd >= 0) close(_fd);
        _fd = -1;
    }
}
