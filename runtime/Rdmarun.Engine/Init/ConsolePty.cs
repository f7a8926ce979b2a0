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
    public static void Setup(int consoleSockFd, uint? rows, uint? cols, bool bindConsole = true)
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
        // /dev/console in the container is the init's pty, like runc's console mount (not an
        // exec'd process's: the container's console stays the init's).
        if (bindConsole && (File.Exists("/dev/console") || Directory.Exists("/dev")))
        {
            bool target = true;
            try { Mounter.Touch("/dev/console"); }
            catch (SyscallException e) when (e.Errno == 30 /* EROFS */) { target = false; /* read-only /dev: the console bind is a convenience */ }
            if (target) BindConsole(slavePath);
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

    /// <summary>
    /// Binds the pty over /dev/console through an O_PATH fd checked first: not a symlink, and on
    /// the same filesystem as the container's /dev (its tmpfs), not a mount put there. By path,
    /// a symlink or bind swapped in between the check and mount(2) would send the pty bind onto
    /// any file, e.g. under /proc/sys (runc's 2025 /dev/console advisory).
    /// </summary>
    private static void BindConsole(string slavePath)
    {
        int dev = SafeOpen.OpenDirNoFollow("/dev");
        int fd = Libc.open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        try
        {
            if (fd < 0) throw new SyscallException("open /dev/console", Libc.Errno);
            var (devDev, _) = SafeOpen.Stat(dev, "/dev");
            var (conDev, mode) = SafeOpen.Stat(fd, "/dev/console");
            if ((mode & SafeOpen.S_IFMT) == SafeOpen.S_IFLNK)
                throw new RuntimeError("console: /dev/console in the container is a symlink, refusing to bind the pty over it");
            if ((mode & SafeOpen.S_IFMT) is not (SafeOpen.S_IFREG or S_IFCHR))
                throw new RuntimeError("console: /dev/console in the container is not a file or a device, refusing to bind the pty over it");
            if (conDev != devDev)
                throw new RuntimeError("console: /dev/console is not on the container's /dev (a mount covers it), refusing to bind the pty over it");
            Mounter.Mount(slavePath, $"/proc/self/fd/{fd}", "bind", MS_BIND, null);
        }
        finally
        {
            if (fd >= 0) Libc.close(fd);
            Libc.close(dev);
        }
    }
}
