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
            using var wait = new ExecFifoWait(fd, r);
            nint n = wait.Until(got => got == 1, out bool alive);
            if (n != 1)
            {
                if (alive) throw new SyscallException($"read {fifo}", Libc.Errno);
                throw new RuntimeError("cannot start container: its init process exited before start");
            }
            // Released: from now on the container counts as running, whatever happens next.
            File.Delete(fifo);
            // The init holds its end until execve (close-on-exec): end-of-file means the user
            // process runs, so poststart hooks come after it (and after startContainer hooks).
            wait.Until(got => got == 0, out _);
        }
        finally { Libc.close(fd); }
    }

    public static Spec? LoadSavedSpec(StateStore store, string id)
    {
        var path = store.ConfigOf(id);
        return File.Exists(path) ? SpecJson.ParseSpec(File.ReadAllBytes(path), path) : null;
    }
}
