using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Seccomp;

/// <summary>
/// linux.seccomp → a libseccomp filter, loaded on the calling thread (the one that execs the
/// container process). Follows runc: names libseccomp does not know are skipped (older or other
/// kernels), rules whose action equals the default are dropped, ERRNO and TRACE return EPERM unless
/// errnoRet says otherwise, and the filter does not set no_new_privs by itself.
/// </summary>
public static class SeccompFilter
{
    /// <summary>seccomp(2) compares at most six syscall arguments.</summary>
    public const int MaxArgs = 6;

    /// <summary>Loads the filter; no-op for null. A notification fd, if the filter makes one, is closed.</summary>
    public static void Apply(LinuxSeccomp? seccomp)
    {
        if (ApplyWithListener(seccomp) is int fd) Libc.close(fd);
    }

    /// <summary>Loads the filter; returns the notification fd when a rule uses SCMP_ACT_NOTIFY, else null.</summary>
    public static int? ApplyWithListener(LinuxSeccomp? seccomp) => ApplyWithListener(seccomp, new LibSeccompBackend());

    public static int? ApplyWithListener(LinuxSeccomp? seccomp, ISeccompBackend backend)
    {
        using (backend)
        {
            if (seccomp is null) return null;
            bool notify = Build(seccomp, backend);
            backend.Load();
            return notify ? backend.NotifyFd() : null;
        }
    }

    /// <summary>Checks the profile by building (not loading) the filter: errors a `create` can report early.</summary>
    public static void Validate(LinuxSeccomp? seccomp)
    {
        if (seccomp is null) return;
        using var b = new LibSeccompBackend();
        Build(seccomp, b);
    }

    /// <summary>Whether any rule asks for SCMP_ACT_NOTIFY (the filter then needs a listener).</summary>
    public static bool UsesNotify(LinuxSeccomp? seccomp) =>
        seccomp?.Syscalls?.Any(s => s.Action == LinuxSeccompAction.Notify) == true;

    /// <summary>Makes the libseccomp calls for <paramref name="s"/>; returns whether SCMP_ACT_NOTIFY is used.</summary>
    public static bool Build(LinuxSeccomp s, ISeccompBackend b)
    {
        uint defaultAction = SeccompActions.Resolve(s.DefaultAction, s.DefaultErrnoRet)
            ?? throw new RuntimeError($"seccomp: unknown action \"{s.DefaultAction}\" in linux.seccomp.defaultAction");
        if (defaultAction == SeccompActions.Notify)
            throw new RuntimeError("seccomp: SCMP_ACT_NOTIFY cannot be the default action (linux.seccomp.defaultAction)");
        var rules = ParseRules(s.Syscalls);
        bool notify = rules.Any(r => r.Action == SeccompActions.Notify);
        if (notify && string.IsNullOrEmpty(s.ListenerPath))
            throw new RuntimeError("seccomp: SCMP_ACT_NOTIFY is used but linux.seccomp.listenerPath is not set");

        b.Init(defaultAction);
        // no_new_privs is process.noNewPrivileges' business, not the filter's (libseccomp sets it by default).
        b.SetAttr(LibSeccomp.AttrCtlNnp, 0);
        var archs = s.Architectures ?? [];
        for (int i = 0; i < archs.Count; i++)
            b.AddArch(SeccompArchs.Resolve(archs[i])
                ?? throw new RuntimeError($"seccomp: unknown architecture \"{archs[i]}\" in linux.seccomp.architectures[{i}]"));
        var flags = s.Flags ?? [];
        for (int i = 0; i < flags.Count; i++)
        {
            if (SeccompFlags.Attribute(flags[i]) is int attr) b.SetAttr(attr, 1);
            else if (SeccompFlags.Known.Contains(flags[i]))
                throw new RuntimeError($"seccomp: flag {flags[i]} in linux.seccomp.flags[{i}] is not supported by this build");
            else throw new RuntimeError($"seccomp: unknown flag \"{flags[i]}\" in linux.seccomp.flags[{i}]");
        }

        foreach (var rule in rules)
        {
            // libseccomp refuses a rule that repeats the default action; it would change nothing anyway.
            if (rule.Action == defaultAction) continue;
            foreach (var name in rule.Names)
            {
                // Unknown to libseccomp: the kernel cannot have it either (runc skips these too).
                if (b.ResolveSyscall(name) is not int nr) continue;
                foreach (var conds in SplitConditions(rule.Conditions))
                    b.AddRule(rule.Action, nr, name, conds);
            }
        }
        return notify;
    }

    private sealed record Rule(IReadOnlyList<string> Names, uint Action, IReadOnlyList<SeccompCondition> Conditions);

    private static List<Rule> ParseRules(List<LinuxSyscall>? syscalls)
    {
        var rules = new List<Rule>();
        var list = syscalls ?? [];
        for (int i = 0; i < list.Count; i++)
        {
            var call = list[i];
            uint action = SeccompActions.Resolve(call.Action, call.ErrnoRet)
                ?? throw new RuntimeError($"seccomp: unknown action \"{call.Action}\" in linux.seccomp.syscalls[{i}]");
            var conds = new List<SeccompCondition>();
            var args = call.Args ?? [];
            for (int j = 0; j < args.Count; j++)
            {
                var a = args[j];
                if (a.Index >= MaxArgs)
                    throw new RuntimeError($"seccomp: argument index {a.Index} in linux.seccomp.syscalls[{i}].args[{j}] is out of range (0-{MaxArgs - 1})");
                var op = SeccompOps.Resolve(a.Op)
                    ?? throw new RuntimeError($"seccomp: unknown operator \"{a.Op}\" in linux.seccomp.syscalls[{i}].args[{j}]");
                conds.Add(new SeccompCondition(a.Index, op, a.Value, a.ValueTwo));
            }
            rules.Add(new Rule(call.Names ?? [], action, conds));
        }
        return rules;
    }

    /// <summary>
    /// Conditions on different arguments are ANDed in one rule. libseccomp cannot AND two conditions
    /// on the same argument, so then (as runc does) every condition becomes a rule of its own — an OR.
    /// </summary>
    public static IEnumerable<IReadOnlyList<SeccompCondition>> SplitConditions(IReadOnlyList<SeccompCondition> conds)
    {
        bool repeated = conds.GroupBy(c => c.Index).Any(g => g.Count() > 1);
        if (!repeated) return [conds];
        return conds.Select(c => (IReadOnlyList<SeccompCondition>)[c]);
    }
}
