using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`delete`: removes a stopped (or created) container; --force kills a running one first.</summary>
public static class Delete
{
    /// <summary>Returns poststop hook warnings for the caller to log.</summary>
    public static IReadOnlyList<string> Run(GlobalOptions g, string id, bool force)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(id);
        using var l = StateLock.Acquire(store.DirOf(id));
        if (l is null || !store.Exists(id))
        {
            if (!force) throw StateStore.NotExist(id);
            // A create killed before state.json: undo what its creating.json says it had made.
            if (l is not null && CreatingRecord.Load(store, id) is { } partial) Undo(partial);
            l?.Dispose();
            store.Remove(id);
            return [];
        }
        FaultPoint.Hit("delete.after-lock");
        var r = store.Load(id);
        var status = Status.Of(r, store);
        var cg = ContainerCgroup.Load(r);
        switch (status)
        {
            case ContainerStatus.Stopped:
                break;
            case ContainerStatus.Created:
                KillEverything(r, cg);
                break;
            default:
                if (!force) throw new RuntimeError($"cannot delete container {id} that is not stopped: {status.ToSpec()}");
                KillEverything(r, cg);
                break;
        }
        HookTracking.KillLeftover(r.RunningHook); // a poststart or poststop hook whose rdmarun was killed
        FaultPoint.Hit("delete.after-kill");
        return Destroy(store, r, cg);
    }

    private static void Undo(ContainerRecord partial)
    {
        HookTracking.KillLeftover(partial.RunningHook);
        var cg = ContainerCgroup.Load(partial);
        KillEverything(partial, cg);
        Net.HostNetdevQos.Remove(partial.HostQdiscs);
        Rdma.RdmaNetnsMove.ReturnOnDelete(partial);
        Net.NetDevicesMove.ReturnOnDelete(partial);
        Rdma.RdmaPkeyRemaps.Restore(partial.PkeyRemaps, partial.Id);
        HostRootfs.Remove(partial.HostRootfsMount);
        cg?.Destroy();
    }

    private static void KillEverything(ContainerRecord r, ContainerCgroup? cg)
    {
        try { cg?.Thaw(); } catch (Exception) { }
        try { cg?.KillAll(LibcConst.SIGKILL); } catch (Exception) { }
        if (ProcStat.IsAlive(r.InitPid, r.InitStartTime)) Libc.kill(r.InitPid, LibcConst.SIGKILL);
        Create.WaitGone(r.InitPid);
    }

    private static IReadOnlyList<string> Destroy(StateStore store, ContainerRecord r, ContainerCgroup? cg)
    {
        Net.HostNetdevQos.Remove(r.HostQdiscs);
        Rdma.RdmaNetnsMove.ReturnOnDelete(r);
        Net.NetDevicesMove.ReturnOnDelete(r);
        Rdma.RdmaPkeyRemaps.Restore(r.PkeyRemaps, r.Id);
        HostRootfs.Remove(r.HostRootfsMount); // the init is dead: nothing holds the container's mounts
        cg?.Destroy();
        FaultPoint.Hit("delete.after-cgroup");
        var spec = Start.LoadSavedSpec(store, r.Id);
        var state = Status.ToSpecState(r, ContainerStatus.Stopped);
        var warnings = HookPhases.RunLenient(spec?.Hooks?.Poststop, HookNames.Poststop, state, new HookTracking(r, store.Save, "delete"));
        store.Remove(r.Id);
        return warnings;
    }
}
