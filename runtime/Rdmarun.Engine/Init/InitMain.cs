using System.Text.Json;
using Rdmarun.Engine.Lifecycle;
using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.Engine.Seccomp;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// Stage 2 (`rdmarun:[2:INIT]`): the .NET runtime has just started inside the container's
/// namespaces (nsexec.c did that). Set up the rootfs and the process, then execve.
/// </summary>
public static unsafe class InitMain
{
    public static int Run()
    {
        var env = System.Environment.GetEnvironmentVariable(Launch.InitLauncher.InitSockEnv);
        if (env is null || !int.TryParse(env, out int fd))
        {
            Console.Error.WriteLine("rdmarun init: not started by rdmarun (no init socket)");
            return 1;
        }
        var ch = new FrameChannel(fd);
        bool readySent = false;
        try
        {
            var cfgBytes = ch.Receive() ?? throw new RuntimeError("init: parent closed the init socket");
            var cfg = JsonSerializer.Deserialize(cfgBytes, ProtocolJsonContext.Default.InitConfig)!;
            var payload = ch.Receive() ?? throw new RuntimeError("init: parent closed the init socket");
            if (cfg.IsExec) RunExec(cfg, SpecJson.ParseProcess(payload));
            else RunCreate(cfg, SpecJson.ParseSpec(payload), ch, ref readySent);
            return 0; // not reached: both paths execve
        }
        catch (Exception e)
        {
            // File-system errors are bare resource keys in the AOT build: "path: reason" instead of a stack trace.
            var msg = e is RuntimeError or SyscallException or SpecException ? e.Message
                : e is IOException or UnauthorizedAccessException ? IoErrorText.Describe(e)
                : e.ToString();
            if (!readySent)
            {
                try { Launch.InitLauncher.SendMessage(ch, InitMessage.Error, msg); } catch { }
            }
            else
            {
                // create already returned: the only one left to tell is the container's stderr.
                Console.Error.WriteLine($"rdmarun: {msg}");
            }
            return 1;
        }
    }

    private static void RunCreate(InitConfig cfg, Spec spec, FrameChannel ch, ref bool readySent)
    {
        var process = spec.Process ?? throw new RuntimeError("process: the spec has no process to run");
        LsmLabels.Check(process, spec.Linux?.MountLabel); // before any mount: a refusal leaves nothing
        SyscallException.Check(Libc.setsid(), "setsid");
        if (!cfg.NoNewKeyring) JoinSessionKeyring(cfg.Id);
        RootfsSetup.Prepare(spec, cfg);

        if (cfg.HooksSync)
        {
            Launch.InitLauncher.SendMessage(ch, InitMessage.Hooks);
            var m = Launch.InitLauncher.ReceiveMessage(ch);
            if (m?.Type != InitMessage.Resume) throw new RuntimeError("init: parent did not resume after the hooks");
        }
        // createContainer: in the container's namespaces, before pivot_root (path resolved on the host).
        var created = HookPhases.StateFor(cfg.Id, HookPhases.CreateHooksStatus, cfg.InitPid, cfg.Bundle, spec.Annotations);
        HookPhases.Run(spec.Hooks?.CreateContainer, HookNames.CreateContainer, created);

        // The seccomp agent's socket is a host path: connect before pivot_root hides it.
        var seccompListener = SeccompListener.ConnectIfNeeded(spec.Linux?.Seccomp);
        if (cfg.HostMountNs) PivotRoot.Chroot(cfg.Rootfs);
        else if (cfg.NoPivot) PivotRoot.MoveRoot(cfg.Rootfs);
        else PivotRoot.Pivot(cfg.Rootfs);
        // A uts namespace joined by path counts as the container's own (runc sets the name there too).
        RootfsFinalize.Apply(spec, ownUts: spec.Linux?.Namespaces?.Any(n => n.Type == "uts") == true);

        var start = ProcessStart.Prepare(process, cfg);

        if (cfg.DumpableForTemplate) Libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        Launch.InitLauncher.SendMessage(ch, InitMessage.Ready);
        readySent = true;
        ch.Dispose();

        WaitForStart(cfg.FifoFd);
        var running = HookPhases.StateFor(cfg.Id, "running", cfg.InitPid, cfg.Bundle, spec.Annotations);
        HookPhases.Run(spec.Hooks?.StartContainer, HookNames.StartContainer, running);

        start.Become(process, cfg, () => SeccompInit.Load(spec.Linux?.Seccomp, seccompListener, cfg, "creating", spec.Annotations),
            reaper: Reaper.Requested(spec.Annotations));
    }

    private static void RunExec(InitConfig cfg, Process process)
    {
        LsmLabels.Check(process, null);
        SyscallException.Check(Libc.setsid(), "setsid");
        if (cfg.HostMountNs) PivotRoot.Chroot(cfg.Rootfs);
        var start = ProcessStart.Prepare(process, cfg);
        // The container's profile applies to exec'd processes too. The init socket is
        // close-on-exec: the parent sees end-of-stream when execve succeeds.
        var seccomp = SeccompInit.FromConfigJson(cfg.SeccompJson);
        start.Become(process, cfg, () => SeccompInit.Load(seccomp, null, cfg, "running", null));
    }

    /// <summary>
    /// Blocks until `start` opens exec.fifo for reading. Opened through /proc/self/fd because the
    /// fifo lives in the host's state dir, unreachable by path after pivot_root.
    /// </summary>
    private static void WaitForStart(int fifoFd)
    {
        if (fifoFd < 0) return;
        int w;
        while ((w = Libc.open($"/proc/self/fd/{fifoFd}", O_WRONLY | O_CLOEXEC, 0)) < 0)
        {
            if (Libc.Errno == EINTR) continue;
            throw new SyscallException("open exec fifo", Libc.Errno);
        }
        byte zero = (byte)'0';
        if (Libc.write(w, &zero, 1) != 1) throw new SyscallException("write exec fifo", Libc.Errno);
        // w stays open (close-on-exec): `start` sees end-of-file exactly when execve replaced us,
        // so poststart hooks run after the user process started (and after startContainer hooks).
        Libc.close(fifoFd);
    }

    /// <summary>A fresh session keyring per container so containers never share the host's keys.</summary>
    private static void JoinSessionKeyring(string id)
    {
        var name = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8("_ses." + id);
        const int KEYCTL_JOIN_SESSION_KEYRING = 1;
        if (Libc.syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0) < 0)
        {
            int e = Libc.Errno;
            // ENOSYS: no keyrings in this kernel; EACCES/EDQUOT in a user namespace: runc ignores those too.
            if (e != 38 && e != 13 && e != 122) throw new SyscallException("join a session keyring", e);
        }
    }
}
