using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// The user process's last steps, shared by the container's init and by exec: <see cref="Prepare"/>
/// does what can still fail back to the caller (console, rlimits, cwd, finding the program);
/// <see cref="Become"/> drops privileges and execs.
/// </summary>
public sealed record ProcessStart(string Exe, List<string> Args, List<string> Env)
{
    public static ProcessStart Prepare(Process p, InitConfig cfg)
    {
        if (p.Terminal == true)
        {
            if (cfg.ConsoleFd < 0) throw new RuntimeError("process.terminal is true but no console socket was given (use --console-socket)");
            ConsolePty.Setup(cfg.ConsoleFd, p.ConsoleSize?.Height, p.ConsoleSize?.Width, bindConsole: !cfg.IsExec);
        }
        RlimitSetup.Apply(p.Rlimits);
        CapabilitySets.CheckHeld(CapabilitySets.FromSpec(p.Capabilities));
        var env = ExecProcess.Environment(p);
        var args = p.Args is { Count: > 0 } a ? a : throw new RuntimeError("process.args: must not be empty");
        ChdirCwd(p.Cwd);
        return new ProcessStart(ExecProcess.LookPath(args[0], env), args, env);
    }

    /// <summary>
    /// User, capabilities, no_new_privs, seccomp, fds, execve. Without no_new_privs, loading the
    /// filter needs CAP_SYS_ADMIN, so it happens before the user switch drops it; with it, as late
    /// as possible, so the profile need not allow rdmarun's own syscalls.
    /// </summary>
    public void Become(Process p, InitConfig cfg, Action loadSeccomp, bool reaper = false)
    {
        bool nnp = p.NoNewPrivileges == true;
        int reaperFd = reaper ? Reaper.CreateImage() : -1;
        SetParentDeathSignal(cfg.ParentDeathSignal, mustWork: true);
        // The label takes effect at execve; written while the filter cannot refuse the write yet.
        LsmLabels.ApplyOnExec(p);
        if (!nnp) loadSeccomp();
        UserSetup.Apply(p, UserSetup.SetgroupsAllowed());
        // A change of effective uid/gid clears the parent-death signal: set it again. The filter
        // may already refuse prctl; the first setting then holds for a root user.
        SetParentDeathSignal(cfg.ParentDeathSignal, mustWork: false);
        ChdirCwd(p.Cwd); // again: the directory may only be reachable as the new user
        if (nnp)
        {
            SyscallException.Check(Libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs");
            loadSeccomp();
        }
        ExecProcess.CloseExtraFds(cfg.PreserveFds);
        // Memory limits last, after argv is marshalled: they bound this process too (RlimitSetup).
        Action limits = () => RlimitSetup.ApplyLate(p.Rlimits);
        if (reaperFd >= 0) ExecProcess.ExecReaper(reaperFd, Exe, Args, Env, limits);
        ExecProcess.Exec(Exe, Args, Env, limits);
    }

    private static void SetParentDeathSignal(int signal, bool mustWork)
    {
        if (signal == 0) return;
        int rc = Libc.prctl(PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0);
        if (mustWork) SyscallException.Check(rc, "set the parent-death signal");
    }

    private static void ChdirCwd(string? cwd)
    {
        var dir = string.IsNullOrEmpty(cwd) ? "/" : cwd;
        SyscallException.Check(Libc.chdir(dir), $"chdir to cwd {dir} set in config.json");
    }
}
