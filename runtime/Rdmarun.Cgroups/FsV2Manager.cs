using Rdmarun.Cgroups.Controllers;
using Rdmarun.Cgroups.Devices;
using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups;

/// <summary>cgroupfs driver for a pure cgroup2 host: one directory holds every controller.</summary>
public sealed class FsV2Manager : ICgroupManager
{
    private readonly string _dir;
    private readonly string? _mountPoint;
    private readonly bool _rootless;

    /// <param name="dir">The container's cgroup directory.</param>
    /// <param name="mountPoint">The cgroup2 mount; needed by <see cref="Apply"/> to enable controllers on the way down, null after <see cref="CgroupManagerFactory.Load"/>.</param>
    public FsV2Manager(string dir, string? mountPoint, bool rootless)
    {
        _dir = dir.TrimEnd('/'); _mountPoint = mountPoint?.TrimEnd('/'); _rootless = rootless;
    }

    public CgroupMode Mode => CgroupMode.Unified;
    public string Dir => _dir;
    public IReadOnlyDictionary<string, string> Paths => new Dictionary<string, string> { [""] = _dir };

    public void Apply(int pid)
    {
        try
        {
            CgroupTree.Create(_dir);
            if (_mountPoint is not null) EnableControllers(_mountPoint, _dir, null);
            if (pid > 0) CgroupFile.Write(_dir, "cgroup.procs", pid.ToString());
        }
        catch (CgroupException e) when (_rootless && e.Errno is Native.EACCES or Native.EPERM or Native.EROFS)
        {
            // Rootless without a delegated cgroup: run unconfined, Set reports any limit it cannot apply.
        }
    }

    /// <summary>
    /// Writes "+controller" into cgroup.subtree_control of every ancestor of <paramref name="dir"/> below
    /// and including <paramref name="mountPoint"/>, so the leaf gets the controllers' files. Each
    /// controller is enabled on its own: one refusal (e.g. cpu with realtime tasks) must not block the others.
    /// </summary>
    public static void EnableControllers(string mountPoint, string dir, IReadOnlyCollection<string>? only)
    {
        var ancestors = new List<string>();
        for (var d = Path.GetDirectoryName(dir.TrimEnd('/'))!; d.Length >= mountPoint.Length; d = Path.GetDirectoryName(d)!)
        {
            ancestors.Add(d);
            if (d == mountPoint) break;
        }
        ancestors.Reverse();
        foreach (var d in ancestors)
        {
            var available = (CgroupFile.TryRead(d, "cgroup.controllers") ?? "").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var enabled = (CgroupFile.TryRead(d, "cgroup.subtree_control") ?? "").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            foreach (var c in available)
            {
                if (enabled.Contains(c) || (only is not null && !only.Contains(c))) continue;
                try { CgroupFile.Write(d, "cgroup.subtree_control", "+" + c); }
                catch (CgroupException) { /* the file the controller would provide is then missing; Set reports it */ }
            }
        }
    }

    public void Set(LinuxResources r)
    {
        if (_rootless && !Directory.Exists(_dir)) { RootlessCheck(r); return; }
        if (CpuController.Requested(r.CPU)) Guard("cpu", () => CpuController.SetV2(_dir, r.CPU!));
        if (CpusetController.Requested(r.CPU)) Guard("cpuset", () => CpusetController.Set(_dir, r.CPU!));
        if (MemoryController.Requested(r.Memory)) Guard("memory", () => MemoryController.SetV2(_dir, r.Memory!));
        if (PidsController.Requested(r.Pids)) Guard("pids", () => PidsController.Set(_dir, r.Pids!));
        if (BlkioController.Requested(r.BlockIO)) Guard("io", () => BlkioController.SetV2(_dir, r.BlockIO!));
        if (HugetlbController.Requested(r.HugepageLimits)) Guard("hugetlb", () => HugetlbController.SetV2(_dir, r.HugepageLimits!));
        if (RdmaController.Requested(r.Rdma))
        {
            if (!CgroupFile.Exists(_dir, "rdma.max")) throw new CgroupException(RdmaController.NotAvailable);
            RdmaController.Set(_dir, r.Rdma!);
        }
        if (NetworkController.ClassIdRequested(r.Network) || NetworkController.PrioritiesRequested(r.Network))
            throw new CgroupException("cgroup: linux.resources.network (net_cls/net_prio) is not supported on cgroup v2");
        if (r.Devices is not null && !_rootless)
            BpfDeviceProgram.Apply(_dir, DeviceFilter.Compile(r.Devices));
        // unified last: it may deliberately override a value derived from the typed fields.
        if (UnifiedController.Requested(r.Unified)) UnifiedController.Set(_dir, r.Unified!);
    }

    /// <summary>Turns "file missing" into "controller not enabled", the usual cause on v2.</summary>
    private void Guard(string controller, Action set)
    {
        try { set(); }
        catch (CgroupException e) when (e.Errno == Native.ENOENT)
        {
            throw new CgroupException($"{e.Message} (is the {controller} controller enabled in {Path.GetDirectoryName(_dir)}/cgroup.subtree_control?)", e.Errno, e);
        }
    }

    private static void RootlessCheck(LinuxResources r)
    {
        if (CpuController.Requested(r.CPU) || CpusetController.Requested(r.CPU) || MemoryController.Requested(r.Memory)
            || PidsController.Requested(r.Pids) || BlkioController.Requested(r.BlockIO) || HugetlbController.Requested(r.HugepageLimits)
            || RdmaController.Requested(r.Rdma) || UnifiedController.Requested(r.Unified))
            throw new CgroupException("cgroup: rootless container has no writable cgroup, cannot apply linux.resources limits");
    }

    public IReadOnlyList<int> GetPids() => CgroupTree.ReadProcs(_dir);
    public IReadOnlyList<int> GetAllPids() => CgroupTree.ReadProcsRecursive(_dir);
    public void Freeze() => Freezer.SetV2(_dir, true);
    public void Thaw() => Freezer.SetV2(_dir, false);
    public FreezerState GetFreezerState() => Freezer.GetV2(_dir);

    public void Kill(int signal) => KillV2(_dir, signal);

    /// <summary>cgroup.kill (5.14+) kills the whole subtree atomically, forks included; otherwise freeze, signal, thaw.</summary>
    internal static void KillV2(string dir, int signal)
    {
        if (!Directory.Exists(dir)) return;
        if (signal == 9 && CgroupFile.Exists(dir, "cgroup.kill")) { CgroupFile.Write(dir, "cgroup.kill", "1"); return; }
        bool frozen = false;
        try { Freezer.SetV2(dir, true); frozen = true; } catch (CgroupException) { }
        try { CgroupTree.Signal(CgroupTree.ReadProcsRecursive(dir), signal); }
        finally { if (frozen) Freezer.SetV2(dir, false); }
    }

    public void Destroy() => CgroupTree.Remove(_dir);
    public bool Exists() => Directory.Exists(_dir);

    public CgroupStats GetStats()
    {
        var mem = CgroupFile.ReadKeyValues(_dir, "memory.events");
        var cpu = CgroupFile.ReadKeyValues(_dir, "cpu.stat");
        return new CgroupStats
        {
            Memory = new MemoryStats
            {
                Usage = CgroupFile.ReadUInt64(_dir, "memory.current"),
                Limit = CgroupFile.ReadUInt64OrMax(_dir, "memory.max"),
                Failcnt = mem.GetValueOrDefault("max"),
                MaxUsage = CgroupFile.Exists(_dir, "memory.peak") ? CgroupFile.ReadUInt64(_dir, "memory.peak") : null,
            },
            Pids = new PidsStats
            {
                Current = CgroupFile.ReadUInt64(_dir, "pids.current"),
                Limit = CgroupFile.ReadUInt64OrMax(_dir, "pids.max"),
            },
            Cpu = new CpuStats
            {
                UsageNanoseconds = cpu.GetValueOrDefault("usage_usec") * 1000,
                UserNanoseconds = cpu.GetValueOrDefault("user_usec") * 1000,
                SystemNanoseconds = cpu.GetValueOrDefault("system_usec") * 1000,
                ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled"),
                ThrottledNanoseconds = cpu.GetValueOrDefault("throttled_usec") * 1000,
            },
            Rdma = StatsReader.Rdma(_dir),
            OomKillCount = mem.GetValueOrDefault("oom_kill"),
        };
    }

    public bool OomKilled() => CgroupFile.ReadKeyValues(_dir, "memory.events").GetValueOrDefault("oom_kill") > 0;
}
