using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `start`'s wait on exec.fifo (opened non-blocking for reading) without burning CPU: poll(2) on
/// the fifo and on a pidfd of the init. It used to spin (read, /proc check, Thread.Sleep(0) a
/// hundred times, then 1 ms sleeps); on a busy 2-core host the spinning parent took CPU from the
/// very init it waited for (51 ms of a `run` in the profile, docs/benchmarks.md).
/// </summary>
internal sealed unsafe class ExecFifoWait : IDisposable
{
    private readonly int _fifo;
    private readonly ContainerRecord _r;
    private readonly int _pidfd;

    public ExecFifoWait(int fifo, ContainerRecord r)
    {
        _fifo = fifo;
        _r = r;
        // No pidfd (kernel < 5.3, or the init already gone): fall back to 1 ms polls with a /proc check.
        _pidfd = (int)Libc.syscall(SYS_pidfd_open, r.InitPid, 0, 0, 0, 0);
    }

    /// <summary>
    /// Reads the fifo until <paramref name="done"/> accepts a read's result, a read fails, or the
    /// init is gone (<paramref name="alive"/> false; the last read's result is returned).
    /// </summary>
    public nint Until(Func<nint, bool> done, out bool alive)
    {
        byte b;
        bool hangup = false;
        var fds = stackalloc Libc.PollFd[2];
        alive = true;
        while (true)
        {
            nint n = Libc.read(_fifo, &b, 1);
            if (done(n) || (n < 0 && Libc.Errno != EAGAIN && Libc.Errno != EINTR)) return n;
            // Checked through /proc even with a pidfd: the pidfd was opened by pid, and only the
            // start time proves it is still our init and not a reused pid.
            if (!ProcStat.IsAlive(_r.InitPid, _r.InitStartTime))
            {
                // A short-lived process may have been released, run and exited between our read
                // (before its open of the fifo completed) and this check: its byte is still there.
                alive = false;
                return Libc.read(_fifo, &b, 1);
            }
            // After a hang-up without the awaited result the fifo stays readable (EOF): poll
            // would return at once, so wait 1 ms per round as before.
            if (_pidfd < 0 || hangup) { Thread.Sleep(1); continue; }
            fds[0] = new Libc.PollFd { Fd = _fifo, Events = POLLIN };
            fds[1] = new Libc.PollFd { Fd = _pidfd, Events = POLLIN };
            if (Libc.poll(fds, 2, -1) < 0 && Libc.Errno != EINTR) throw new SyscallException("poll exec.fifo", Libc.Errno);
            hangup = (fds[0].Revents & POLLHUP) != 0 && (fds[0].Revents & POLLIN) == 0;
        }
    }

    public void Dispose()
    {
        if (_pidfd >= 0) Libc.close(_pidfd);
    }
}
