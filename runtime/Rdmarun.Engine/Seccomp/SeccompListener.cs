using System.Net.Sockets;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Seccomp;

/// <summary>
/// The connection to linux.seccomp.listenerPath (the seccomp agent). It is made before pivot_root,
/// while the host path is still reachable; the notification fd goes over it once the filter is
/// loaded, with the container process state as payload (one sendmsg, as runc sends it).
/// </summary>
public sealed unsafe class SeccompListener : IDisposable
{
    private readonly Socket _socket;
    public string Path { get; }

    private SeccompListener(Socket socket, string path) { _socket = socket; Path = path; }

    /// <summary>Connects when the profile uses SCMP_ACT_NOTIFY; null otherwise.</summary>
    public static SeccompListener? ConnectIfNeeded(LinuxSeccomp? seccomp)
    {
        if (!SeccompFilter.UsesNotify(seccomp) || string.IsNullOrEmpty(seccomp!.ListenerPath)) return null;
        var path = seccomp.ListenerPath;
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { s.Connect(new UnixDomainSocketEndPoint(path)); }
        catch (SocketException e)
        {
            s.Dispose();
            throw new RuntimeError($"seccomp: connect to the listener {path} (linux.seccomp.listenerPath): {e.Message.ToLowerInvariant()}");
        }
        return new SeccompListener(s, path);
    }

    public void Send(int notifyFd, ContainerProcessState state)
    {
        var payload = SpecJson.SerializeToUtf8(state, JsonLayout.Compact);
        fixed (byte* p = payload)
        {
            var iov = new Libc.IoVec { Base = p, Len = (nuint)payload.Length };
            // cmsghdr (len u64, level i32, type i32) + one int, padded to 8.
            byte* control = stackalloc byte[24];
            new Span<byte>(control, 24).Clear();
            *(ulong*)control = 20;
            *(int*)(control + 8) = SOL_SOCKET;
            *(int*)(control + 12) = SCM_RIGHTS;
            *(int*)(control + 16) = notifyFd;
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 };
            int fd = (int)_socket.Handle;
            if (Libc.sendmsg(fd, &msg, 0) < 0)
                throw new SyscallException($"seccomp: send the notification fd to the listener {Path}", Libc.Errno);
        }
    }

    public void Dispose() => _socket.Dispose();
}
