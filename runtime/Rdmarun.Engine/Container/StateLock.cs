using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Container;

/// <summary>An exclusive flock on a container's state directory, held for one command.</summary>
public sealed class StateLock : IDisposable
{
    private int _fd;

    private StateLock(int fd) => _fd = fd;

    /// <summary>Locks dir; null when it does not exist or was removed while we waited (delete won the race).</summary>
    public static StateLock? Acquire(string dir)
    {
        int fd = Libc.open(dir, LibcConst.O_RDONLY | LibcConst.O_DIRECTORY | LibcConst.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int e = Libc.Errno;
            if (e == LibcConst.ENOENT) return null;
            throw new SyscallException($"open state directory {dir}", e);
        }
        while (Libc.flock(fd, LibcConst.LOCK_EX) < 0)
        {
            int e = Libc.Errno;
            if (e == LibcConst.EINTR) continue;
            Libc.close(fd);
            throw new SyscallException($"lock state directory {dir}", e);
        }
        // The holder before us may have deleted the container: a lock on a removed directory means nothing.
        if (!Directory.Exists(dir))
        {
            Libc.close(fd);
            return null;
        }
        return new StateLock(fd);
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}
