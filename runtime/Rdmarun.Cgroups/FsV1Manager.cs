using Rdmarun.Cgroups.Controllers;
using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups;

/// <summary>
/// cgroupfs driver for v1 hierarchies, and for hybrid hosts, where the process also joins the cgroup2
/// tree (as runc does) and a controller that is bound only to cgroup2 there (hugetlb, rdma on some
/// hosts) is written through that tree with v2 file names.
/// </summary>
public sealed class FsV1Manager : ICgroupManager
{
    private readonly Dictionary<string, string> _paths;
    private readonly IReadOnlyDictionary<string, string> _mountPoints;
    private readonly bool _rootless;

    /// <param name="paths">Directory per controller; key "" is the hybrid cgroup2 directory.</param>
    /// <param name="mountPoints">Mount point per key of <paramref name="paths"/>; may be empty after <see cref="CgroupManagerFactory.Load"/>.</param>
    public FsV1Manager(IReadOnlyDictionary<string, string> paths, IReadOnlyDictionary<string, string> mountPoints, bool rootless)
    {
        _paths = paths.ToDictionary(kv => kv.Key, kv => kv.Value.TrimEnd('/'));
        _mountPoints = mountPoints;
        _rootless = rootless;
    }

    public CgroupMode Mode => _paths.ContainsKey("") ? CgroupMode.Hybrid : CgroupMode.Legacy;
    public IReadOnlyDictionary<string, string> Paths => _paths;

    private string? UnifiedDir => _paths.GetValueOrDefault("");

    public void Apply(int pid)
    {
        foreach (var (key, dir) in _paths.ToList())
        {
            try
            {
                CgroupTree.Create(dir);
                if (key == "cpuset" && _mountPoints.TryGetValue(key, out var mp)) CpusetController.InheritV1(mp, dir);
                if (pid > 0) CgroupFile.Write(dir, "cgroup.procs", pid.ToString());
            }
            catch (CgroupException e) when (_rootless && e.Errno is Native.EACCES or Native.EPERM or Native.EROFS)
            {
                // Rootless: a hierarchy we may not write is simply not used; Set reports any limit that needed it.
                _paths.Remove(key);
            }
        }
    }

    public void Set(LinuxResources r)
    {
        if (CpuController.Requested(r.CPU))
            Apply("cpu", "cpu", "cpu", d => CpuController.SetV1(d, r.CPU!), d => CpuController.SetV2(d, r.CPU!));
        if (CpusetController.Requested(r.CPU))
            Apply("cpuset", "cpuset", "cpu.cpus/mems", d => CpusetController.Set(d, r.CPU!), d => CpusetController.Set(d, r.CPU!));
        if (MemoryController.Requested(r.Memory))
            Apply("memory", "memory", "memory", d => MemoryController.SetV1(d, r.Memory!), d => MemoryController.SetV2(d, r.Memory!));
        if (PidsController.Requested(r.Pids))
            Apply("pids", "pids", "pids", d => PidsController.Set(d, r.Pids!), d => PidsController.Set(d, r.Pids!));
        if (BlkioController.Requested(r.BlockIO))
            Apply("blkio", "io", "blockIO", d => BlkioController.SetV1(d, r.BlockIO!), d => BlkioController.SetV2(d, r.BlockIO!));
        if (HugetlbController.Requested(r.HugepageLimits))
            Apply("hugetlb", "hugetlb", "hugepageLimits", d => HugetlbController.SetV1(d, r.HugepageLimits!), d => HugetlbController.SetV2(d, r.HugepageLimits!));
        if (RdmaController.Requested(r.Rdma))
        {
            var (dir, _) = Target("rdma", "rdma");
            if (dir is null) throw new CgroupException(RdmaController.NotAvailable);
            RdmaController.Set(dir, r.Rdma!);
        }
        if (NetworkController.ClassIdRequested(r.Network))
            Apply("net_cls", null, "network.classID", d => NetworkController.SetClassId(d, r.Network!), null);
        if (NetworkController.PrioritiesRequested(r.Network))
            Apply("net_prio", null, "network.priorities", d => NetworkController.SetPriorities(d, r.Network!), null);
        if (r.Devices is not null && !_rootless)
            Apply("devices", null, "devices", d => DevicesV1Controller.Set(d, r.Devices), null);
        if (UnifiedController.Requested(r.Unified))
            throw new CgroupException($"cgroup: linux.resources.unified needs cgroup v2, this host uses {(Mode == CgroupMode.Hybrid ? "hybrid" : "v1")} cgroups");
    }

    private void Apply(string v1Name, string? v2Name, string field, Action<string> setV1, Action<string>? setV2)
    {
        var (dir, isV2) = Target(v1Name, v2Name);
        if (dir is null)
            throw new CgroupException(_rootless && !_paths.ContainsKey(v1Name) && _mountPoints.ContainsKey(v1Name)
                ? $"cgroup: rootless container cannot write the {v1Name} cgroup, cannot apply linux.resources.{field}"
                : $"cgroup: {v1Name} controller not available on this host, cannot apply linux.resources.{field}");
        if (isV2) setV2!(dir); else setV1(dir);
    }

    /// <summary>The v1 directory for a controller, else (hybrid) the cgroup2 directory when that controller is bound to cgroup2.</summary>
    private (string? Dir, bool IsV2) Target(string v1Name, string? v2Name)
    {
        if (_paths.TryGetValue(v1Name, out var dir)) return (dir, false);
        if (v2Name is null || UnifiedDir is not { } udir || !_mountPoints.TryGetValue("", out var mount)) return (null, false);
        var offered = (CgroupFile.TryRead(mount, "cgroup.controllers") ?? "").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (!offered.Contains(v2Name)) return (null, false);
        // Only the controller needed is enabled, so the hybrid host's cgroup2 tree changes as little as possible.
        FsV2Manager.EnableControllers(mount, udir, [v2Name]);
        return (udir, true);
    }

    /// <summary>Where to read process lists: any hierarchy the process was placed in.</summary>
    private string ProcsDir =>
        ((string[])["pids", "freezer", "memory", "devices", "cpu", "cpuset", "name=systemd", ""])
            .Select(k => _paths.GetValueOrDefault(k)).FirstOrDefault(d => d is not null)
        ?? _paths.Values.FirstOrDefault() ?? throw new CgroupException("cgroup: no cgroup paths known for this container");

    public IReadOnlyList<int> GetPids() => CgroupTree.ReadProcs(ProcsDir);
    public IReadOnlyList<int> GetAllPids() => CgroupTree.ReadProcsRecursive(ProcsDir);

    public void Freeze() => SetFrozen(true);
    public void Thaw() => SetFrozen(false);

    private void SetFrozen(bool frozen)
    {
        if (_paths.TryGetValue("freezer", out var dir)) Freezer.SetV1(dir, frozen);
        else if (UnifiedDir is { } udir) Freezer.SetV2(udir, frozen);
        else throw new CgroupException("cgroup: freezer controller not available on this host, cannot freeze or thaw");
    }

    public FreezerState GetFreezerState() =>
        _paths.TryGetValue("freezer", out var dir) ? Freezer.GetV1(dir)
        : UnifiedDir is { } udir ? Freezer.GetV2(udir) : FreezerState.Undefined;

    public void Kill(int signal)
    {
        // In hybrid mode every process also sits in the cgroup2 tree, so cgroup.kill works there.
        if (signal == 9 && UnifiedDir is { } udir && CgroupFile.Exists(udir, "cgroup.kill"))
        {
            CgroupFile.Write(udir, "cgroup.kill", "1");
            return;
        }
        if (!Exists()) return;
        // Frozen, nothing can fork a child that escapes the signal.
        bool frozen = false;
        try { Freeze(); frozen = true; } catch (CgroupException) { }
        try { CgroupTree.Signal(GetAllPids(), signal); }
        finally { if (frozen) Thaw(); }
    }

    public void Destroy()
    {
        CgroupException? first = null;
        var deadline = new RemoveDeadline();
        foreach (var dir in _paths.Values.Distinct())
        {
            try { CgroupTree.Remove(dir, deadline); }
            catch (CgroupException e) { first ??= e; } // remove what we can, report the first failure
        }
        if (first is not null) throw first;
    }

    public bool Exists() => _paths.Values.Any(Directory.Exists);

    public CgroupStats GetStats()
    {
        var mem = _paths.GetValueOrDefault("memory");
        var pids = _paths.GetValueOrDefault("pids");
        var cpu = _paths.GetValueOrDefault("cpu");
        var cpuacct = _paths.GetValueOrDefault("cpuacct");
        var cpuStat = cpu is null ? new() : CgroupFile.ReadKeyValues(cpu, "cpu.stat");
        // cpuacct.stat counts USER_HZ ticks (100 per second on Linux).
        var acct = cpuacct is null ? new() : CgroupFile.ReadKeyValues(cpuacct, "cpuacct.stat");
        var rdmaDir = _paths.GetValueOrDefault("rdma")
            ?? (UnifiedDir is { } u && CgroupFile.Exists(u, "rdma.max") ? u : null);
        return new CgroupStats
        {
            Memory = mem is null ? new() : new MemoryStats
            {
                Usage = CgroupFile.ReadUInt64(mem, "memory.usage_in_bytes"),
                Limit = StatsReader.V1Limit(CgroupFile.ReadUInt64(mem, "memory.limit_in_bytes")),
                Failcnt = CgroupFile.ReadUInt64(mem, "memory.failcnt"),
                MaxUsage = CgroupFile.ReadUInt64(mem, "memory.max_usage_in_bytes"),
            },
            Pids = pids is null ? new() : new PidsStats
            {
                Current = CgroupFile.ReadUInt64(pids, "pids.current"),
                Limit = CgroupFile.ReadUInt64OrMax(pids, "pids.max"),
            },
            Cpu = new CpuStats
            {
                UsageNanoseconds = cpuacct is null ? 0 : CgroupFile.ReadUInt64(cpuacct, "cpuacct.usage"),
                UserNanoseconds = acct.GetValueOrDefault("user") * 10_000_000,
                SystemNanoseconds = acct.GetValueOrDefault("system") * 10_000_000,
                ThrottledPeriods = cpuStat.GetValueOrDefault("nr_throttled"),
                ThrottledNanoseconds = cpuStat.GetValueOrDefault("throttled_time"),
            },
            Rdma = rdmaDir is null ? new() : StatsReader.Rdma(rdmaDir),
            OomKillCount = OomKillCount(),
        };
    }

    private ulong OomKillCount() =>
        _paths.TryGetValue("memory", out var mem) ? CgroupFile.ReadKeyValues(mem, "memory.oom_control").GetValueOrDefault("oom_kill") : 0;

    public bool OomKilled() => OomKillCount() > 0;
}
