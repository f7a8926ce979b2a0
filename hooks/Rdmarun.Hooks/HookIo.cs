using System.Runtime.InteropServices;
using System.Text;
using static Rdmarun.Hooks.Native.LibC;

namespace Rdmarun.Hooks;

/// <summary>
/// Feeds a child's stdin and collects its stdout and stderr in one poll loop until it exits or a
/// deadline passes. One loop rather than blocking reads: a hook that fills stdout while we still
/// write stdin, or never reads stdin at all, must not deadlock us.
/// </summary>
internal sealed unsafe class HookIo
{
    /// <summary>Output beyond this many bytes per stream is read and dropped.</summary>
    internal const int OutputCap = 1 << 20;

    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();

    public string Stdout => Decode(_stdout);
    public string Stderr => Decode(_stderr);

    /// <summary>
    /// Runs the loop. Returns the wait status once the child exited, or null when the deadline
    /// (milliseconds, Environment.TickCount64 clock) passed first; the child is then still running
    /// and unreaped. Takes ownership of <paramref name="stdinFd"/> (closed here, early, so the hook
    /// sees end of file); the output fds stay the caller's.
    /// </summary>
    public int? Pump(int pid, int stdinFd, int stdoutFd, int stderrFd, ReadOnlySpan<byte> input, long? deadline,
        bool usePidfd = true)
    {
        SetNonBlocking(stdinFd);
        SetNonBlocking(stdoutFd);
        SetNonBlocking(stderrFd);
        // A pidfd polls readable when the child exits, so a hook that closes its stdout and keeps
        // running is still noticed. Kernels before 5.3 lack it: fall back to polling waitpid.
        int pidfd = usePidfd ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
        try
        {
            int written = 0;
            bool writing = stdinFd >= 0, outOpen = true, errOpen = true;
            if (input.Length == 0 && writing) { CloseInput(ref stdinFd); writing = false; }
            PollFd* fds = stackalloc PollFd[4];
            while (true)
            {
                int n = 0, inIdx = -1, outIdx = -1, errIdx = -1, pidIdx = -1;
                if (writing) { inIdx = n; fds[n++] = new PollFd { Fd = stdinFd, Events = POLLOUT }; }
                if (outOpen) { outIdx = n; fds[n++] = new PollFd { Fd = stdoutFd, Events = POLLIN }; }
                if (errOpen) { errIdx = n; fds[n++] = new PollFd { Fd = stderrFd, Events = POLLIN }; }
                if (pidfd >= 0) { pidIdx = n; fds[n++] = new PollFd { Fd = pidfd, Events = POLLIN }; }

                int wait = -1;
                if (deadline is long d)
                    wait = (int)Math.Clamp(d - Environment.TickCount64, 0, int.MaxValue);
                if (pidfd < 0)
                    wait = wait < 0 ? 20 : Math.Min(wait, 20);

                int ready = poll(fds, (nuint)n, wait);
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR) continue;
                    throw PosixException.FromLastError("poll hook pipes");
                }

                if (inIdx >= 0 && fds[inIdx].REvents != 0)
                {
                    // Write what the pipe takes; a hook that exits without reading gets EPIPE, which
                    // is its business, not an error (SIGPIPE is ignored by the .NET runtime).
                    fixed (byte* p = input)
                    {
                        nint w = write(stdinFd, p + written, input.Length - written);
                        if (w > 0) written += (int)w;
                        else if (w < 0 && Marshal.GetLastPInvokeError() is not (EAGAIN or EINTR)) written = input.Length;
                    }
                    if (written >= input.Length) { CloseInput(ref stdinFd); writing = false; }
                }
                if (outIdx >= 0 && fds[outIdx].REvents != 0) outOpen = Drain(stdoutFd, _stdout);
                if (errIdx >= 0 && fds[errIdx].REvents != 0) errOpen = Drain(stderrFd, _stderr);

                if (pidfd < 0 || (pidIdx >= 0 && fds[pidIdx].REvents != 0))
                {
                    if (PosixSpawn.TryWaitPid(pid, out int status))
                    {
                        // Take what is already in the pipes; a background child of the hook that
                        // keeps them open must not hold us until it exits.
                        if (outOpen) Drain(stdoutFd, _stdout);
                        if (errOpen) Drain(stderrFd, _stderr);
                        return status;
                    }
                }
                if (deadline is long end && Environment.TickCount64 >= end)
                    return null;
            }
        }
        finally
        {
            if (pidfd >= 0) close(pidfd);
            if (stdinFd >= 0) close(stdinFd);
        }
    }

    private static void CloseInput(ref int fd)
    {
        close(fd);
        fd = -1;
    }

    /// <summary>Reads until the pipe is empty; false at end of file.</summary>
    private static bool Drain(int fd, MemoryStream into)
    {
        byte* buf = stackalloc byte[16384];
        while (true)
        {
            nint r = read(fd, buf, 16384);
            if (r > 0)
            {
                int keep = (int)Math.Min(r, Math.Max(0, OutputCap - into.Length));
                if (keep > 0) into.Write(new ReadOnlySpan<byte>(buf, keep));
                continue;
            }
            if (r == 0) return false;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return true;
            return false; // unreadable pipe: treat as closed rather than spin on it
        }
    }

    private static void SetNonBlocking(int fd)
    {
        if (fd < 0) return;
        int flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
            throw PosixException.FromLastError($"set O_NONBLOCK on fd {fd}");
    }

    private static string Decode(MemoryStream s) => Encoding.UTF8.GetString(s.GetBuffer(), 0, (int)s.Length);
}
