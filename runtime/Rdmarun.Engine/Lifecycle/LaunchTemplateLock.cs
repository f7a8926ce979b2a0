using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// flock(2) on a launch template's files (LAUNCH_TEMPLATE.md): `&lt;key&gt;.lock` while one rank
/// publishes, `inuse` (shared by running fast ranks) before a template is torn down, and the
/// `.launch` directory itself while it is set up.
/// </summary>
public sealed class LaunchTemplateLock : IDisposable
{
    private int _fd;

    private LaunchTemplateLock(int fd) => _fd = fd;

    /// <summary>
    /// Exclusive lock on <paramref name="path"/> (created when <paramref name="create"/>); null when it
    /// does not exist or, with <paramref name="wait"/> false, someone else holds it.
    /// </summary>
    public static LaunchTemplateLock? TryExclusive(string path, bool create, bool wait = false)
    {
        int flags = LibcConst.O_RDONLY | LibcConst.O_CLOEXEC | (create ? LibcConst.O_CREAT : 0);
        int fd = Libc.open(path, flags, Convert.ToInt32("600", 8));
        if (fd < 0)
        {
            int e = Libc.Errno;
            if (e == LibcConst.ENOENT && !create) return null;
            throw new SyscallException($"open {path}", e);
        }
        int op = LibcConst.LOCK_EX | (wait ? 0 : LibcConst.LOCK_NB);
        while (Libc.flock(fd, op) < 0)
        {
            int e = Libc.Errno;
            if (e == LibcConst.EINTR) continue;
            Libc.close(fd);
            if (e == LibcConst.EAGAIN) return null; // EWOULDBLOCK: held by another process
            throw new SyscallException($"lock {path}", e);
        }
        return new LaunchTemplateLock(fd);
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}
