namespace Rdmarun.OciSpec.Validation;

/// <summary>Rules for <c>process</c>; also used alone for <c>exec --process</c> documents.</summary>
static class ProcessRules
{
    public static void Check(Process proc, string at, ProblemList p)
    {
        if (proc.Args is not { Count: > 0 })
            p.Error($"{at}.args", "must contain at least one element (the program to run)");
        else if (string.IsNullOrEmpty(proc.Args[0]))
            p.Error($"{at}.args[0]", "program name must not be empty");

        if (string.IsNullOrEmpty(proc.Cwd))
            p.Error($"{at}.cwd", "missing: the working directory is required");
        else if (!proc.Cwd.StartsWith('/'))
            p.Error($"{at}.cwd", $"must be an absolute path, got {JPath.Q(proc.Cwd)}");

        if (proc.Env is { } env)
            for (int i = 0; i < env.Count; i++)
            {
                int eq = env[i].IndexOf('=');
                if (eq < 0) p.Error(JPath.Index($"{at}.env", i), $"invalid environment variable {JPath.Q(env[i])}: missing '='");
                else if (eq == 0) p.Error(JPath.Index($"{at}.env", i), $"invalid environment variable {JPath.Q(env[i])}: empty name");
                else if (env[i].Contains('\0')) p.Error(JPath.Index($"{at}.env", i), "environment variable contains a nul byte");
            }

        if (proc.Capabilities is { } caps)
        {
            CheckCaps(caps.Bounding, $"{at}.capabilities.bounding", p);
            CheckCaps(caps.Effective, $"{at}.capabilities.effective", p);
            CheckCaps(caps.Inheritable, $"{at}.capabilities.inheritable", p);
            CheckCaps(caps.Permitted, $"{at}.capabilities.permitted", p);
            CheckCaps(caps.Ambient, $"{at}.capabilities.ambient", p);
        }

        if (proc.Rlimits is { } rl)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < rl.Count; i++)
            {
                string ri = JPath.Index($"{at}.rlimits", i);
                if (!Rlimits.TryGetResource(rl[i].Type, out _))
                    p.Error($"{ri}.type", $"unknown rlimit {JPath.Q(rl[i].Type)}");
                else if (!seen.Add(rl[i].Type))
                    p.Error($"{ri}.type", $"duplicated rlimit {JPath.Q(rl[i].Type)}");
                if (rl[i].Soft > rl[i].Hard)
                    p.Error($"{ri}.soft", $"soft limit {rl[i].Soft} is above hard limit {rl[i].Hard}");
            }
        }

        if (proc.OomScoreAdj is int oom && (oom < -1000 || oom > 1000))
            p.Error($"{at}.oomScoreAdj", $"must be between -1000 and 1000, got {oom}");

        if (proc.ConsoleSize is not null && !proc.Terminal)
            p.Warn($"{at}.consoleSize", "ignored because terminal is false");

        if (proc.Scheduler is { } s) CheckScheduler(s, $"{at}.scheduler", p);

        if (proc.IOPriority is { } io)
        {
            if (io.Class is not (IOPriorityClass.RT or IOPriorityClass.BE or IOPriorityClass.Idle))
                p.Error($"{at}.ioPriority.class", $"unknown class {JPath.Q(io.Class)}");
            if (io.Priority is < 0 or > 7)
                p.Error($"{at}.ioPriority.priority", $"must be between 0 and 7, got {io.Priority}");
        }
    }

    // runc ignores names it does not know (with a warning) so configs written for newer kernels still start.
    static void CheckCaps(List<string>? names, string at, ProblemList p)
    {
        if (names is null) return;
        for (int i = 0; i < names.Count; i++)
            if (!Capabilities.TryGetNumber(names[i], out _))
                p.Warn(JPath.Index(at, i), $"unknown capability {JPath.Q(names[i])} is ignored");
    }

    // Same rules as runc (sched_setattr(2)).
    static void CheckScheduler(Scheduler s, string at, ProblemList p)
    {
        string[] policies = [LinuxSchedulerPolicy.Other, LinuxSchedulerPolicy.Fifo, LinuxSchedulerPolicy.RR,
            LinuxSchedulerPolicy.Batch, LinuxSchedulerPolicy.Iso, LinuxSchedulerPolicy.Idle, LinuxSchedulerPolicy.Deadline];
        if (string.IsNullOrEmpty(s.Policy)) { p.Error($"{at}.policy", "missing: the scheduler policy is required"); return; }
        if (!policies.Contains(s.Policy)) { p.Error($"{at}.policy", $"unknown policy {JPath.Q(s.Policy)}"); return; }
        if (s.Policy is LinuxSchedulerPolicy.Other or LinuxSchedulerPolicy.Batch && s.Nice is < -20 or > 19)
            p.Error($"{at}.nice", $"must be between -20 and 19, got {s.Nice}");
        if (s.Priority != 0 && s.Policy is not (LinuxSchedulerPolicy.Fifo or LinuxSchedulerPolicy.RR))
            p.Error($"{at}.priority", "can only be set for SCHED_FIFO or SCHED_RR");
        if (s.Policy != LinuxSchedulerPolicy.Deadline && (s.Runtime != 0 || s.Deadline != 0 || s.Period != 0))
            p.Error(at, "runtime, deadline and period can only be set for SCHED_DEADLINE");
    }
}
