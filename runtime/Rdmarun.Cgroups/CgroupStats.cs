namespace Rdmarun.Cgroups;

/// <summary>Usage and limits read from the cgroup files; null limits mean "max".</summary>
public sealed class CgroupStats
{
    public MemoryStats Memory { get; init; } = new();
    public PidsStats Pids { get; init; } = new();
    public CpuStats Cpu { get; init; } = new();
    /// <summary>By RDMA device name.</summary>
    public Dictionary<string, RdmaDeviceStats> Rdma { get; init; } = new();
    /// <summary>Processes killed by the OOM killer (memory.events oom_kill / v1 memory.oom_control oom_kill).</summary>
    public ulong OomKillCount { get; init; }
}

public sealed class MemoryStats
{
    public ulong Usage { get; init; }
    public ulong? Limit { get; init; }
    /// <summary>Times usage hit the limit (v1 memory.failcnt, v2 memory.events "max").</summary>
    public ulong Failcnt { get; init; }
    public ulong? MaxUsage { get; init; }
}

public sealed class PidsStats
{
    public ulong Current { get; init; }
    public ulong? Limit { get; init; }
}

public sealed class CpuStats
{
    public ulong UsageNanoseconds { get; init; }
    public ulong UserNanoseconds { get; init; }
    public ulong SystemNanoseconds { get; init; }
    public ulong ThrottledPeriods { get; init; }
    public ulong ThrottledNanoseconds { get; init; }
}

public sealed class RdmaDeviceStats
{
    public ulong HcaHandlesCurrent { get; init; }
    public ulong HcaObjectsCurrent { get; init; }
    public ulong? HcaHandlesMax { get; init; }
    public ulong? HcaObjectsMax { get; init; }
}
