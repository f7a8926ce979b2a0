using System.Runtime.InteropServices;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Foreground `run` and `exec`: we become a child subreaper so the container process (our
/// grandchild, orphaned when stage 1 exits) is re-parented to us; we forward signals to it and
/// return its exit status (128+N when killed by signal N, like a shell).
/// </summary>
public sealed unsafe class ChildWaiter : IDisposable
{
    private static readonly int[] Forwarded = [1, 2, 3, 10, 12, 15, 18, 28]; // HUP INT QUIT USR1 USR2 TERM CONT WINCH
    private readonly List<PosixSignalRegistration> _regs = [];
    private volatile int _target;

    public static ChildWaiter BecomeSubreaper()
    {
        SyscallException.Check(Libc.prctl(LibcConst.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "become a child subreaper");
        return new ChildWaiter();
    }

    /// <summary>Starts forwarding our signals to pid.</summary>
    public void ForwardTo(int pid)
    {
        _target = pid;
        foreach (var s in Forwarded)
        {
            _regs.Add(PosixSignalRegistration.Create((PosixSignal)s, ctx =>
            {
                ctx.Cancel = true; // the container decides what the signal means
                if (_target > 0) Libc.kill(_target, s);
            }));
        }
    }

    /// <summary>Reaps children until pid exits; returns its shell-style status.</summary>
    public int Wait(int pid)
    {
        while (true)
        {
            int status;
            int r = Libc.waitpid(-1, &status, 0);
            if (r < 0)
            {
                int e = Libc.Errno;
                if (e == LibcConst.EINTR) continue;
                if (e == LibcConst.ECHILD) return 255;
                throw new SyscallException("wait for the container process", e);
            }
            if (r == pid) return Hooks.WaitStatus.ToExitCode(status);
        }
    }

    public void Dispose()
    {
        foreach (var r in _regs) r.Dispose();
        _regs.Clear();
    }
}
