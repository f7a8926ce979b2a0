namespace Rdmarun.Hooks;

/// <summary>
/// Told when a hook process starts and after it has been reaped. Each hook runs in a process group of
/// its own (its pgid is its pid), so a runtime that records the pid somewhere durable can later kill the
/// hook and everything it started, even after the runtime itself was killed mid-hook.
/// </summary>
public interface IHookTracker
{
    /// <summary>The hook runs (it has been exec'd); <paramref name="pid"/> is also its process group id.</summary>
    void Started(int pid, string phase, string path);

    /// <summary>The hook has exited and been reaped (its own background children may still run).</summary>
    void Ended(int pid);
}
