namespace Rdmarun.OciSpec.Validation;

/// <summary>Names in <c>linux.seccomp</c> must be ones libseccomp knows.</summary>
static class SeccompRules
{
    public static void Check(LinuxSeccomp s, ProblemList p)
    {
        const string at = "$.linux.seccomp";
        if (string.IsNullOrEmpty(s.DefaultAction))
            p.Error($"{at}.defaultAction", "missing: the default action is required");
        else if (!SeccompNames.Actions.Contains(s.DefaultAction))
            p.Error($"{at}.defaultAction", $"unknown action {JPath.Q(s.DefaultAction)}");

        Each(s.Architectures, $"{at}.architectures", SeccompNames.Archs, "architecture", p);
        Each(s.Flags, $"{at}.flags", SeccompNames.Flags, "flag", p);

        bool notify = s.DefaultAction == LinuxSeccompAction.Notify;
        if (s.Syscalls is { } calls)
            for (int i = 0; i < calls.Count; i++)
            {
                var c = calls[i];
                string ca = JPath.Index($"{at}.syscalls", i);
                if (c.Names.Count == 0)
                    p.Error($"{ca}.names", "must name at least one syscall");
                for (int j = 0; j < c.Names.Count; j++)
                    if (string.IsNullOrEmpty(c.Names[j]))
                        p.Error(JPath.Index($"{ca}.names", j), "syscall name must not be empty");
                if (!SeccompNames.Actions.Contains(c.Action))
                    p.Error($"{ca}.action", $"unknown action {JPath.Q(c.Action)}");
                notify |= c.Action == LinuxSeccompAction.Notify;
                if (c.Args is { } args)
                    for (int j = 0; j < args.Count; j++)
                    {
                        string aa = JPath.Index($"{ca}.args", j);
                        if (args[j].Index > 5)
                            p.Error($"{aa}.index", $"syscall argument index must be 0 to 5, got {args[j].Index}");
                        if (!SeccompNames.Operators.Contains(args[j].Op))
                            p.Error($"{aa}.op", $"unknown operator {JPath.Q(args[j].Op)}");
                    }
            }

        if (notify && string.IsNullOrEmpty(s.ListenerPath))
            p.Error($"{at}.listenerPath", "SCMP_ACT_NOTIFY is used, so a listenerPath is required");
    }

    static void Each(List<string>? values, string at, IReadOnlyList<string> known, string what, ProblemList p)
    {
        if (values is null) return;
        for (int i = 0; i < values.Count; i++)
            if (!known.Contains(values[i]))
                p.Error(JPath.Index(at, i), $"unknown seccomp {what} {JPath.Q(values[i])}");
    }
}
