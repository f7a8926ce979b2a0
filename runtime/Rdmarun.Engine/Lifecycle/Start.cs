using Rdmarun.Engine.Container;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`start`: releases the init blocked on exec.fifo, then runs poststart hooks.</summary>
public static unsafe class Start
{
    public static IReadOnlyList<string> Run(GlobalOptions g, string id)
    {
        var store = new StateStore(g.Root);
        using var l = store.Lock(id);
        var r = store.Load(id);
        var status = Status.Of(r, store);
        switch (status)
        {
            case ContainerStatus.Created: break;
            case ContainerStatus.Stopped: throw new RuntimeError("cannot start a container that has stopped");
            case ContainerStatus.Running: throw new RuntimeError("cannot start an already running container");
            default: throw new RuntimeError($"cannot start a container in the {status.ToSpec()} state");
        }
        FaultPoint.Hit("start.before-release");
        ReleaseInit(store.FifoOf(id), r);
        FaultPoint.Hit("start.after-release");
        var spec = LoadSavedSpec(store, id);
        var state = Status.ToSpecState(r, ContainerStatus.Running);
        return HookPhases.RunLenient(spec?.Hooks?.Poststart, HookNames.Poststart, state, new HookTracking(r, store.Save, "start"));
    }

    /// <summary>
    /// Opens the fifo without blocking (a blocking open would hang forever if the init died),
    /// then waits for the init's byte, and then for its execve.
    /// </summary>
    private static void ReleaseInit(string fifo, ContainerRecord r)
    {
        int fd = Libc.open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) throw new SyscallException($"open {fifo}", Libc.Errno);
        try
        {
            nint n = Poll(fd, r, got => got == 1, out bool alive);
            if (n != 1)
            {
                if (alive) throw new SyscallException($"read {fifo}", Libc.Errno);
                throw new RuntimeError("cannot start container: its init process exited before start");
            }
            // Released: from now on the container counts as running, whatever happens next.
            File.Delete(fifo);
            // The init holds its end until execve (close-on-exec): end-of-file means the user
            // process runs, so poststart hooks come after it (and after startContainer hooks).
            Poll(fd, r, got => got == 0, out _);
        }
        finally { Libc.close(fd); }
    }

    /// <summary>
    /// Reads the non-blocking fifo until <paramref name="done"/> accepts a read's result, a read
    /// fails, or the init is gone. The fifo is polled, with the init's liveness checked between
    /// reads, because a blocking read would hang for ever on an init that died.
    /// </summary>
    private static nint Poll(int fd, ContainerRecord r, Func<nint, bool> done, out bool alive)
    {
        byte b;
        int spins = 0;
        alive = true;
        while (true)
        {
            nint n = Libc.read(fd, &b, 1);
            if (done(n) || (n < 0 && Libc.Errno != EAGAIN && Libc.Errno != EINTR)) return n;
            if (!ProcStat.IsAlive(r.InitPid, r.InitStartTime))
            {
                // A short-lived process may have been released, run and exited between our read
                // (before its open of the fifo completed) and this check: its byte is still there.
                alive = false;
                return Libc.read(fd, &b, 1);
            }
            Thread.Sleep(spins++ < 100 ? 0 : 1);
        }
    }

    public static Spec? LoadSavedSpec(StateStore store, string id)
    {
        var path = store.ConfigOf(id);
        return File.Exists(path) ? SpecJson.ParseSpec(File.ReadAllBytes(path), path) : null;
    }
}
