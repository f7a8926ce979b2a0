using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Native;

/// <summary>One fd over a unix socket (SCM_RIGHTS) with a payload: the pty master, the seccomp notify fd.</summary>
public static unsafe class FdPassing
{
    // cmsghdr (len u64, level i32, type i32) + one int, padded to 8.
    private const int ControlLen = 24;

    public static void Send(int sock, int fd, ReadOnlySpan<byte> payload, string what)
    {
        fixed (byte* p = payload)
        {
            var iov = new Libc.IoVec { Base = p, Len = (nuint)payload.Length };
            byte* control = stackalloc byte[ControlLen];
            new Span<byte>(control, ControlLen).Clear();
            *(ulong*)control = 20;
            *(int*)(control + 8) = SOL_SOCKET;
            *(int*)(control + 12) = SCM_RIGHTS;
            *(int*)(control + 16) = fd;
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = ControlLen };
            if (Libc.sendmsg(sock, &msg, 0) < 0) throw new SyscallException($"send {what}", Libc.Errno);
        }
    }

    /// <summary>Receives one fd (close-on-exec here); the payload is discarded.</summary>
    public static int Receive(int sock, string what)
    {
        byte* data = stackalloc byte[256];
        var iov = new Libc.IoVec { Base = data, Len = 256 };
        byte* control = stackalloc byte[64];
        var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        int n;
        while ((n = Libc.recvmsg(sock, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */)) < 0 && Libc.Errno == EINTR) { }
        if (n < 0) throw new SyscallException($"receive {what}", Libc.Errno);
        if (msg.ControlLen < 20 || *(int*)(control + 8) != SOL_SOCKET || *(int*)(control + 12) != SCM_RIGHTS)
            throw new RuntimeError($"receive {what}: no file descriptor in the message");
        return *(int*)(control + 16);
    }
}
