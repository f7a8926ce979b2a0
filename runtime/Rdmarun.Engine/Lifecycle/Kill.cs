using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`kill`: a signal to the init, or with --all to every process of the container's cgroup.</summary>
public static class Kill
{
    public static void Run(GlobalOptions g, string id, int signal, bool all)
    {
        var store = new StateStore(g.Root);
        var r = store.Load(id);
        var status = Status.Of(r, store);
        if (status == ContainerStatus.Stopped && !all) throw new RuntimeError("container not running");
        if (all)
        {
            var cg = ContainerCgroup.Load(r);
            if (cg is not null) { cg.KillAll(signal); return; }
        }
        if (status == ContainerStatus.Stopped) return;
        if (Libc.kill(r.InitPid, signal) < 0)
        {
            int e = Libc.Errno;
            if (e == LibcConst.ESRCH) throw new RuntimeError("container not running");
            throw new SyscallException($"send signal {signal} to the init of {id} (pid {r.InitPid})", e);
        }
    }
}
