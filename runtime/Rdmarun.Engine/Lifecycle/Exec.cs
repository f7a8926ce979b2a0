using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.Engine.Launch;
using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`exec`: a new process in every namespace and the cgroup of a running container.</summary>
public static class Exec
{
    /// <summary>Returns the process's exit status, or 0 with --detach.</summary>
    public static int Run(GlobalOptions g, ExecOptions o)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(o.Id);
        var r = store.Load(o.Id);
        var status = Status.Of(r, store);
        if (status == ContainerStatus.Stopped) throw new RuntimeError("cannot exec in a stopped container");
        if (status == ContainerStatus.Paused) throw new RuntimeError("cannot exec in a paused container");
        var spec = Start.LoadSavedSpec(store, o.Id) ?? throw new RuntimeError($"container {o.Id}: saved config.json is missing");
        var process = BuildProcess(spec, o);

        using var console = ConsoleSocket.Connect(o.ConsoleSocket);
        if (process.Terminal == true && console is null && o.Detach)
            throw new RuntimeError("cannot allocate tty if rdmarun will detach without setting console socket");
        using var tty = process.Terminal == true && console is null ? TtyProxy.Create() : null;
        using var waiter = o.Detach ? null : ChildWaiter.BecomeSubreaper();
        var cg = ContainerCgroup.Load(r);
        // Namespaces the container shares with the host are not joined (nothing to join).
        var joins = (r.NamespacePaths ?? []).Where(kv => File.Exists(kv.Value) || kv.Value.StartsWith("/proc/"))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var (pid, ch) = InitLauncher.Launch(new LaunchRequest
        {
            Bootstrap = Bootstrap.ForExec(joins, process.OomScoreAdj),
            Config = new InitConfig
            {
                Id = o.Id, Bundle = r.Bundle, IsExec = true, PreserveFds = o.PreserveFds,
                SeccompJson = Seccomp.SeccompInit.ToConfigJson(spec.Linux?.Seccomp),
                // Sharing the host's mount namespace, the exec'd process would see the host's /:
                // it chroots to the init's root instead, as the init did.
                HostMountNs = r.HostRootfsMount is not null,
                Rootfs = r.HostRootfsMount is not null ? $"/proc/{r.InitPid}/root" : "",
            },
            Payload = SpecJson.SerializeToUtf8(process, JsonLayout.Compact),
            ConsoleFd = console?.Fd ?? tty?.ChildEnd ?? -1,
            BeforeBootstrap = p => { cg?.Apply(p); FaultPoint.Hit("exec.after-cgroup"); },
        });
        using (ch)
        {
            try
            {
                FaultPoint.Hit("exec.after-launch");
                // End of stream: the socket closed on execve. An error frame: the exec failed.
                var m = InitLauncher.ReceiveMessage(ch);
                if (m is not null) throw new RuntimeError($"exec: unexpected message {m.Type}");
            }
            catch
            {
                Libc.kill(pid, LibcConst.SIGKILL);
                throw;
            }
        }
        tty?.CloseChildEnd();
        FaultPoint.Hit("exec.after-exec");
        if (o.PidFile is not null) PidFile.Write(o.PidFile, pid);
        if (waiter is null) return 0;
        tty?.Start();
        waiter.ForwardTo(pid);
        return waiter.Wait(pid);
    }

    /// <summary>runc's rule: the container's process is the template; flags override it.</summary>
    private static Process BuildProcess(Spec spec, ExecOptions o)
    {
        if (o.ProcessFile is not null)
        {
            byte[] data;
            try { data = File.ReadAllBytes(o.ProcessFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeError($"read process file {OciSpec.IoErrorText.Describe(e, o.ProcessFile)}");
            }
            var fromFile = SpecJson.ParseProcess(data, o.ProcessFile);
            if (o.Tty is { } tt) fromFile.Terminal = tt;
            return fromFile;
        }
        if (o.Args.Count == 0) throw new RuntimeError("exec: no command given (args or --process)");
        var baseProc = spec.Process!;
        var p = SpecJson.ParseProcess(SpecJson.SerializeToUtf8(baseProc, JsonLayout.Compact), "config.json process");
        p.Args = o.Args;
        p.Terminal = o.Tty ?? false;
        p.Env = [.. p.Env ?? [], .. o.Env];
        if (o.Cwd is not null) p.Cwd = o.Cwd;
        if (o.NoNewPrivs) p.NoNewPrivileges = true;
        if (o.User is not null)
        {
            var parts = o.User.Split(':');
            if (!uint.TryParse(parts[0], out var uid) || (parts.Length > 1 && !uint.TryParse(parts[1], out _)))
                throw new RuntimeError($"--user {o.User}: expected uid[:gid] as numbers");
            p.User = new User { UID = uid, GID = parts.Length > 1 ? uint.Parse(parts[1]) : 0 };
        }
        if (o.AdditionalGids.Count > 0) p.User.AdditionalGids = o.AdditionalGids.Select(x => (uint)x).ToList();
        if (o.Caps.Count > 0)
        {
            p.Capabilities ??= new LinuxCapabilities();
            foreach (var c in o.Caps)
            {
                if (!Capabilities.TryGetNumber(c, out _)) throw new RuntimeError($"--cap: unknown capability {c}");
                foreach (var set in new[] { p.Capabilities.Bounding ??= [], p.Capabilities.Effective ??= [], p.Capabilities.Permitted ??= [] })
                    if (!set.Contains(c)) set.Add(c);
            }
        }
        return p;
    }
}
