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
public sealed class SeccompListener : IDisposable
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
        FdPassing.Send((int)_socket.Handle, notifyFd, SpecJson.SerializeToUtf8(state, JsonLayout.Compact),
            $"seccomp: the notification fd to the listener {Path}");
    }

    public void Dispose() => _socket.Dispose();
}
