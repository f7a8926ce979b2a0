using Rdmarun.Engine.Container;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.Engine.Native;
using Rdmarun.Hooks;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Records the host-side hook that is running in the container's record (creating.json during create,
/// state.json for poststart and poststop), so that a `delete --force` after rdmarun was SIGKILLed mid-hook
/// finds the hook's process group and kills it. Before this, such a hook ran on unseen: it is in no
/// container cgroup (hooks run in the runtime's) and nothing named it.
/// </summary>
public sealed class HookTracking(ContainerRecord record, Action<ContainerRecord> save, string verb) : IHookTracker
{
    public void Started(int pid, string phase, string path)
    {
        record.RunningHook = new HookProcess { Pgid = pid, StartTime = ProcStat.Read(pid)?.StartTime ?? 0, Phase = phase, Path = path };
        save(record); // a failure here kills the hook (HookRunner) and fails the verb
        FaultPoint.Hit($"{verb}.in-hook");
    }

    public void Ended(int pid)
    {
        if (record.RunningHook?.Pgid != pid) return;
        record.RunningHook = null;
        // Best effort: a stale entry is harmless (the start time no longer matches a live leader).
        try { save(record); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Kills what is left of a recorded hook: its group while the leader is the recorded process, or the
    /// members that started after it when the leader is gone (the group id cannot be handed to a new
    /// group while members remain). Waits briefly until they are gone.
    /// </summary>
    public static void KillLeftover(HookProcess? hook)
    {
        if (hook is null || hook.Pgid <= 1) return;
        bool leader = ProcStat.IsAlive(hook.Pgid, hook.StartTime);
        if (!leader && Members(hook).Count == 0) return;
        Libc.kill(-hook.Pgid, LibcConst.SIGKILL);
        if (leader) Libc.kill(hook.Pgid, LibcConst.SIGKILL); // a hook that left its group (setsid)
        for (int i = 0; i < 250 && (ProcStat.IsAlive(hook.Pgid, hook.StartTime) || Members(hook).Count > 0); i++)
            Thread.Sleep(4);
    }

    // Live processes in the hook's group that started no earlier than the hook.
    private static List<int> Members(HookProcess hook)
    {
        var found = new List<int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid)) continue;
            if (ProcStat.Group(pid) != hook.Pgid) continue;
            if (ProcStat.Read(pid) is { } s && s.StartTime >= hook.StartTime) found.Add(pid);
        }
        return found;
    }
}
