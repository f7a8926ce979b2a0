using Rdmarun.Engine.Lifecycle;
using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Seccomp;

/// <summary>
/// Stage 2's seccomp step. Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, so it
/// happens before the capabilities are dropped; with no_new_privs, as late as possible, so the
/// profile need not allow rdmarun's own syscalls (runc's order).
/// </summary>
public static class SeccompInit
{
    /// <summary>Call before dropping privileges when noNewPrivileges is off, right before exec when it is on.</summary>
    public static void Load(LinuxSeccomp? seccomp, SeccompListener? listener, InitConfig cfg, string status,
        Dictionary<string, string>? annotations)
    {
        if (seccomp is null) return;
        if (SeccompFilter.UsesNotify(seccomp) && listener is null)
            throw new RuntimeError(cfg.IsExec
                ? "seccomp: SCMP_ACT_NOTIFY is not supported for exec'd processes yet (the listener socket is not reachable from inside the container)"
                : "seccomp: SCMP_ACT_NOTIFY is used but no listener is connected (linux.seccomp.listenerPath)");
        var fd = SeccompFilter.ApplyWithListener(seccomp);
        if (fd is not int notifyFd) return;
        try
        {
            listener!.Send(notifyFd, new ContainerProcessState
            {
                Version = SpecVersion.Current,
                Fds = [ContainerProcessState.SeccompFdName],
                Pid = cfg.InitPid,
                Metadata = seccomp.ListenerMetadata,
                State = HookPhases.StateFor(cfg.Id, status, cfg.InitPid, cfg.Bundle, annotations),
            });
        }
        finally
        {
            Libc.close(notifyFd);
            listener!.Dispose();
        }
    }

    /// <summary>
    /// For exec: the process JSON has no seccomp, so the container's profile travels in
    /// InitConfig.SeccompJson as a spec document holding only linux.seccomp.
    /// </summary>
    public static string? ToConfigJson(LinuxSeccomp? seccomp) =>
        seccomp is null ? null : SpecJson.Serialize(new Spec { Linux = new Linux { Seccomp = seccomp } }, JsonLayout.Compact);

    public static LinuxSeccomp? FromConfigJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : SpecJson.ParseSpec(System.Text.Encoding.UTF8.GetBytes(json), "exec seccomp").Linux?.Seccomp;
}
