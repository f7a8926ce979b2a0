using System.Net.Sockets;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>--console-socket: the parent connects; stage 2 sends the pty master through the connection.</summary>
public sealed class ConsoleSocket : IDisposable
{
    private readonly Socket _socket;
    public int Fd => (int)_socket.Handle;

    private ConsoleSocket(Socket s) => _socket = s;

    public static ConsoleSocket? Connect(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new RuntimeError($"connect to console socket {path}: {e.Message.ToLowerInvariant()}");
        }
        return new ConsoleSocket(s);
    }

    public void Dispose() => _socket.Dispose();
}
