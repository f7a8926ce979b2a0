using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// process.terminal: a pty from the container's own devpts. The master goes to whoever listens
/// on --console-socket (SCM_RIGHTS, as containerd expects); the slave becomes stdio and the
/// controlling terminal.
/// </summary>
public static unsafe class ConsolePty
{
    public static void Setup(int consoleSockFd, uint? rows, uint? cols)
    {
        int master = SyscallException.Check(Libc.open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0), "open /dev/ptmx");
        int unlock = 0;
        SyscallException.Check(Libc.ioctl(master, TIOCSPTLCK, (nint)(&unlock)), "unlock the pty");
        uint n;
        SyscallException.Check(Libc.ioctl(master, TIOCGPTN, (nint)(&n)), "get the pty number");
        string slavePath = $"/dev/pts/{n}";
        if (rows is { } r && cols is { } c)
        {
            ushort* ws = stackalloc ushort[4] { (ushort)r, (ushort)c, 0, 0 };
            Libc.ioctl(master, TIOCSWINSZ, (nint)ws);
        }
        int slave = SyscallException.Check(Libc.open(slavePath, O_RDWR | O_NOCTTY, 0), $"open {slavePath}");
        // /dev/console in the container is the pty, like runc's console mount.
        if (File.Exists("/dev/console") || Directory.Exists("/dev"))
        {
            try { Mounter.Touch("/dev/console"); Mounter.Mount(slavePath, "/dev/console", "bind", MS_BIND, null); }
            catch (SyscallException) { /* read-only /dev: the console bind is a convenience */ }
        }
        // The pty name as payload, as runc sends it.
        FdPassing.Send(consoleSockFd, master, System.Text.Encoding.UTF8.GetBytes(slavePath), "the pty master to the console socket");
        Libc.close(master);
        Libc.close(consoleSockFd);
        SyscallException.Check(Libc.ioctl(slave, TIOCSCTTY, 0), "make the pty the controlling terminal");
        for (int fd = 0; fd < 3; fd++)
            SyscallException.Check(Libc.dup3(slave, fd, 0), $"dup the pty to fd {fd}");
        if (slave > 2) Libc.close(slave);
    }
}
