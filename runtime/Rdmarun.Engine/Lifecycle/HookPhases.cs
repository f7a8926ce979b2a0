using Rdmarun.Hooks;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>Runs one phase of the spec's hooks with the container state on stdin.</summary>
public static class HookPhases
{
    /// <summary>
    /// Status on the stdin of prestart, createRuntime and createContainer hooks. state.md defines
    /// "creating" as step 2 of the lifecycle (building the environment) and "created" as after
    /// step 2; these hooks are steps 3-5, so the environment exists and the user process has not
    /// run: "created" (crun and runtime-tools' hooks_stdin agree; runc says "creating").
    /// </summary>
    public const string CreateHooksStatus = "created";

    public static State StateFor(string id, string status, int pid, string bundle, Dictionary<string, string>? annotations) => new()
    {
        Version = SpecVersion.Current,
        ID = id,
        Status = status,
        Pid = pid,
        Bundle = bundle,
        Annotations = annotations,
    };

    /// <summary>Fails on the first failing hook (prestart, createRuntime, createContainer, startContainer).</summary>
    /// <param name="tracker">Records each host-side hook while it runs (null inside the container, whose cgroup holds it).</param>
    public static void Run(List<Hook>? hooks, string phase, State state, IHookTracker? tracker = null)
    {
        if (hooks is null || hooks.Count == 0) return;
        HookRunner.RunAll(hooks, SpecJson.SerializeToUtf8(state), phase, continueOnError: false, tracker);
    }

    /// <summary>poststart and poststop: failures are only warnings (runtime-spec), returned to be logged.</summary>
    public static IReadOnlyList<string> RunLenient(List<Hook>? hooks, string phase, State state, IHookTracker? tracker = null)
    {
        if (hooks is null || hooks.Count == 0) return [];
        return HookRunner.RunAll(hooks, SpecJson.SerializeToUtf8(state), phase, continueOnError: true, tracker).Select(e => e.Message).ToList();
    }
}
