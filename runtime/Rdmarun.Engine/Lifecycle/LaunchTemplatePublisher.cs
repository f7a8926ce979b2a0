using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;
using Rdmarun.Hooks;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Publishes a created rank as a launch template (LAUNCH_TEMPLATE.md): built in `KEY.tmp-PID`,
/// renamed to `KEY` before its guard starts, completed by `template` (written whole, last): a
/// rank uses a template only when that file is there.
/// Never fails the rank: any error undoes what was done and becomes a warning.
/// </summary>
public static class LaunchTemplatePublisher
{
    public const string GuardEnv = "_RDMARUN_TEMPLATE_GUARD";
    public const string GuardTtlEnv = "_RDMARUN_TEMPLATE_TTL";
    public const string GuardNsFdsEnv = "_RDMARUN_TEMPLATE_NSFDS";

    /// <summary><paramref name="Options"/> null: a `run` template (RUN_TEMPLATE.md), published by a foreground `run`.</summary>
    public sealed record Request(GlobalOptions Global, LaunchOptions? Options, LaunchTemplateRequest Template,
        LaunchSpec.EnvInputs Env, Action<string> Warn, Action<string> Debug)
    {
        public bool IsRun => Options is null;
        public string Kind => IsRun ? "run template" : "launch template";

        public string? Reason(Spec effective) => Options is null
            ? RunTemplateSpec.Reason(effective, Global.SystemdCgroup, rootless: Libc.geteuid() != 0, pureV2: File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            : LaunchTemplateEligibility.Reason(effective, Options, Global.SystemdCgroup);
    }

    /// <summary>After create, before start (the namespace is complete, the rank has not run).</summary>
    public static void TryPublish(Request r, Create.Result created)
    {
        try { Publish(r, created); }
        catch (Exception e)
        {
            r.Warn($"{r.Kind} {r.Template.Key}: not published (the {(r.IsRun ? "container" : "rank")} runs normally): {e.Message}");
        }
    }

    private static void Publish(Request r, Create.Result created)
    {
        var key = r.Template.Key;
        var id = created.Record.Id;
        var config = new StateStore(r.Global.Root).ConfigOf(id);
        // The saved config is what the rank really got, RDMA grant included (rdma.max would make it per-template).
        var effective = SpecJson.ParseSpec(File.ReadAllBytes(config), config);
        if (r.Reason(effective) is { } why)
        {
            r.Debug($"{r.Kind} {key}: not published: {why}");
            return;
        }
        var store = new LaunchTemplateStore(r.Global.Root);
        store.EnsureCreated();
        using var keyLock = LaunchTemplateLock.TryExclusive(store.LockOf(key), create: true);
        if (keyLock is null)
        {
            r.Debug($"{r.Kind} {key}: another rank is publishing it");
            return;
        }
        var problems = new List<string>();
        store.CollectGarbage(key, problems);
        var final = store.DirOf(key);
        if (Directory.Exists(final) && Usable(final))
        {
            // Published by a rank that held the lock before us (C looked before it was there).
            r.Debug($"{r.Kind} {key}: another rank published it");
            return;
        }
        if (Directory.Exists(final))
        {
            // Still there, yet the C fast path sent us: it found this one unusable (guard dead, rootfs changed).
            using var inuse = LaunchTemplateLock.TryExclusive(Path.Combine(final, "inuse"), create: false);
            store.Teardown(final, key, store.CgroupPathsOf(key), killGuard: true, destroyCgroup: inuse is not null, problems);
        }
        foreach (var p in problems) r.Debug($"launch template clean-up: {p}");
        if (Directory.Exists(final)) throw new RuntimeError($"the stale template {final} could not be removed");
        Build(r, store, created, effective, config, final);
        r.Debug($"{r.Kind} {key}: published at {final}");
    }

    private static void Build(Request r, LaunchTemplateStore store, Create.Result created, Spec effective, string config, string final)
    {
        var key = r.Template.Key;
        var tmp = store.TmpOf(key, Environment.ProcessId);
        SyscallException.Check(Libc.mkdir(tmp, Convert.ToInt32("700", 8)), $"create {tmp}");
        var dir = tmp;
        ContainerCgroup? cgroup = null;
        int guard = -1;
        // Rootless (RUN_TEMPLATE.md "Rootless"): no nsfs bind and no cgroup of its own (an unprivileged
        // caller can make neither); the guard holds the init's user and mount namespaces instead.
        bool rootless = Libc.geteuid() != 0;
        int[] nsFds = [];
        try
        {
            if (rootless) nsFds = [OpenNamespace(created.Pid, "user"), OpenNamespace(created.Pid, "mnt")];
            else LaunchTemplateMounts.BindMountNamespace(created.Pid, Path.Combine(tmp, "mnt"));
            File.Copy(config, Path.Combine(tmp, "config.json"));
            File.WriteAllBytes(Path.Combine(tmp, "inuse"), []);
            if (!rootless)
            {
                // Created as a container's cgroup is (the publisher's parent, no cgroupsPath): each fast
                // rank's cgroup is a child of it and inherits its device rules.
                cgroup = ContainerCgroup.Create(new Spec(), LaunchTemplateStore.CgroupName(key), r.Global);
                cgroup.Apply(0);
                cgroup.Set(DefaultDeviceRules.Complete(effective));
            }
            // In place before the guard starts: it opens the directory it is given (guard.sock) at
            // once. Without `template` no rank uses it yet, and other publishers wait for our lock.
            Directory.Move(tmp, final);
            dir = final;
            guard = SpawnGuard(final, r.Template.TtlSeconds, nsFds);
            foreach (var fd in nsFds) Libc.close(fd);
            nsFds = [];
            Diagnostics.FaultPoint.Hit("launch-template.after-guard"); // a killed publisher: the next publish's GC cleans up
            var guardStart = ProcStat.Read(guard)?.StartTime ?? throw new RuntimeError($"the template guard {guard} vanished at once");
            var (dev, ino) = StatOf(created.Record.Rootfs);
            var run = r.IsRun ? RunTemplateSpec.Lines(effective, cgroup?.Paths ?? [], File.Exists("/sys/fs/cgroup/cgroup.controllers")) : null;
            var text = LaunchTemplateFile.Text(new LaunchTemplateFile.Inputs(guard, guardStart, dev, ino,
                created.Record.Bundle, created.Record.Rootfs, cgroup?.Paths ?? [], effective, r.Env, run));
            // Written last and whole: its presence means the template is complete (the guard waits for it).
            var template = Path.Combine(final, "template");
            File.WriteAllText(template + ".tmp", text);
            File.Move(template + ".tmp", template);
        }
        catch
        {
            foreach (var fd in nsFds) Libc.close(fd);
            if (guard > 0) { PosixSpawn.Kill(guard, LibcConst.SIGKILL); PosixSpawn.WaitPid(guard, out _); }
            var undo = new List<string>();
            store.Teardown(dir, key, cgroup?.Paths, killGuard: false, destroyCgroup: cgroup is not null, undo);
            foreach (var p in undo) r.Warn($"launch template {key}: undo: {p}");
            throw;
        }
    }

    /// <summary>What the C fast path checks before joining (LAUNCH_TEMPLATE.md "Fast rank" step 1) that can be checked from here.</summary>
    private static bool Usable(string dir)
    {
        var s = LaunchTemplateFile.Read(Path.Combine(dir, "template"));
        if (s is null || s.Version != LaunchTemplateFile.Version || s.Rootfs is null || !ProcStat.IsAlive(s.GuardPid, s.GuardStartTime))
            return false;
        // A rootless template has no `mnt`: its guard (alive, checked above) holds the namespaces.
        bool rootless = Libc.geteuid() != 0;
        try { return StatOf(s.Rootfs) == (s.RootfsDev, s.RootfsIno) && (rootless || LaunchTemplateMounts.IsMountPoint(Path.Combine(dir, "mnt"))); }
        catch (SyscallException) { return false; }
    }

    /// <summary>
    /// The expiry guard (C, launch_fast.c): rdmarun with only its two variables, in a session of its
    /// own (a signal to the launcher's group spares it), stdio on /dev/null (it must not hold the
    /// launcher's pipes open). Our other fds are closed by the spawn.
    /// </summary>
    private static int SpawnGuard(string templateDir, uint ttlSeconds, int[] nsFds)
    {
        var exe = Environment.ProcessPath ?? throw new RuntimeError("cannot find the rdmarun executable for the template guard");
        int devNull = SyscallException.Check(Libc.open("/dev/null", LibcConst.O_RDWR | LibcConst.O_CLOEXEC, 0), "open /dev/null for the template guard");
        try
        {
            // Rootless: the template's user and mount namespaces as fds 3 and 4, handed to each warm run.
            var fds = new List<(int, int)> { (devNull, 0), (devNull, 1), (devNull, 2) };
            var env = new List<string> { $"{GuardEnv}={templateDir}", $"{GuardTtlEnv}={ttlSeconds}" };
            if (nsFds.Length == 2)
            {
                fds.Add((nsFds[0], 3));
                fds.Add((nsFds[1], 4));
                env.Add($"{GuardNsFdsEnv}=3,4");
            }
            return PosixSpawn.Spawn(exe, ["rdmarun"], env.ToArray(), fds.ToArray(), setsid: true);
        }
        catch (PosixException e) { throw new RuntimeError($"start the template guard: {e.Message}"); }
        finally { Libc.close(devNull); }
    }

    /// <summary>/proc/PID/ns/NAME of the rootless publisher's init (dumpable until start: InitConfig.DumpableForTemplate).</summary>
    private static int OpenNamespace(int pid, string name)
    {
        var path = $"/proc/{pid}/ns/{name}";
        return SyscallException.Check(Libc.open(path, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), $"open {path}");
    }

    /// <summary>st_dev and st_ino as stat(2) gives them to C: the fast path compares its own stat of the rootfs.</summary>
    private static unsafe (ulong Dev, ulong Ino) StatOf(string path)
    {
        Tmds.Linux.stat st;
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
            if (Tmds.Linux.LibC.stat(p, &st) != 0) throw new SyscallException($"stat the rootfs {path}", Libc.Errno);
        return ((ulong)st.st_dev, (ulong)st.st_ino);
    }
}
