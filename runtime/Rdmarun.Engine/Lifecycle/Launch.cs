using System.Collections;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `launch`: run one MPI rank in its own container and remove it however the rank ends
/// (exit, signal, failed start). The foreground `run` path does the waiting, signal forwarding
/// and deletion; this adds the rank-specific spec (<see cref="LaunchSpec"/>) and cleans up
/// after launchers that were killed with SIGKILL (which no process can handle itself).
/// </summary>
public static class Launch
{
    public static int Run(GlobalOptions g, LaunchOptions o, Action<string> warn, Action<string>? debug = null)
    {
        debug ??= _ => { };
        // First: taken out of our environment before anything reads or passes it on.
        var template = LaunchTemplateRequest.Take(debug);
        DieWithParent();
        var bundle = Path.GetFullPath(o.Bundle);
        var spec = Create.LoadAndCheck(bundle);
        int self = Libc.getpid();
        var start = ProcStat.Read(self)?.StartTime ?? 0;
        var env = LaunchSpec.Apply(spec, o with { LauncherTag = $"{self}:{start}" }, CurrentCaller());
        RemoveOrphans(g, warn);
        var id = o.Id ?? $"launch-{self}-{Random.Shared.Next(0x1000000):x6}";
        LaunchGuard.Start(g, id);
        return RunCommand.Run(g, new CreateOptions { Id = id, Bundle = bundle }, detach: false, keep: false, warn, spec,
            afterCreate: PublishStep(g, o, template, spec, env, warn, debug));
    }

    /// <summary>Publishing a template (LAUNCH_TEMPLATE.md) when C asked for one and the spec allows it.</summary>
    private static Action<Create.Result>? PublishStep(GlobalOptions g, LaunchOptions o, LaunchTemplateRequest? template,
        OciSpec.Spec spec, LaunchSpec.EnvInputs env, Action<string> warn, Action<string> debug)
    {
        if (template is null) return null;
        if (LaunchTemplateEligibility.Reason(spec, o, g.SystemdCgroup) is { } why)
        {
            debug($"launch template {template.Key}: not published: {why}");
            return null;
        }
        var request = new LaunchTemplatePublisher.Request(g, o, template, env, warn, debug);
        return created => LaunchTemplatePublisher.TryPublish(request, created);
    }

    /// <summary>`launch --drop-templates`: kills every template's guard and removes the templates and `.launch`.</summary>
    public static int DropTemplates(GlobalOptions g, Action<string> warn)
    {
        var problems = new List<string>();
        new LaunchTemplateStore(g.Root).DropAll(problems);
        foreach (var p in problems) warn($"launch --drop-templates: {p}");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// A launcher killed with SIGKILL (mpirun, srun) cannot stop its ranks: we get SIGTERM when
    /// our parent dies and forward it to the rank, which then ends and is deleted as usual.
    /// </summary>
    private static void DieWithParent()
    {
        int parent = Libc.getppid();
        SyscallException.Check(Libc.prctl(LibcConst.PR_SET_PDEATHSIG, LibcConst.SIGTERM, 0, 0, 0), "set the parent-death signal");
        if (Libc.getppid() != parent) throw new RuntimeError("launch: the launching process exited before the rank started");
    }

    private static LaunchSpec.Caller CurrentCaller()
    {
        var env = new Dictionary<string, string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v) env[k] = v;
        return new LaunchSpec.Caller((uint)Libc.getuid(), (uint)Libc.getgid(), Libc.GetGroups(), Environment.CurrentDirectory, env);
    }

    /// <summary>Force-deletes launch containers whose launcher is gone (killed by SIGKILL).</summary>
    private static void RemoveOrphans(GlobalOptions g, Action<string> warn)
    {
        var store = new StateStore(g.Root);
        foreach (var id in store.Ids().ToList())
        {
            ContainerRecord r;
            try { r = store.Load(id); } catch (RuntimeError) { continue; }
            if (r.Annotations is null || !r.Annotations.TryGetValue(LaunchAnnotations.Launcher, out var owner)) continue;
            var parts = owner.Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], out var pid) && ulong.TryParse(parts[1], out var st) && ProcStat.IsAlive(pid, st))
                continue;
            try { foreach (var w in Delete.Run(g, id, force: true)) warn(w); }
            catch (Exception e) when (e is RuntimeError or SyscallException or IOException) { warn($"remove orphaned rank container {id}: {e.Message}"); }
        }
    }
}
