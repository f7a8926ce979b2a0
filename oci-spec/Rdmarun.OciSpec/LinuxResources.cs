using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>Cgroup limits (<c>linux.resources</c>), also the document read by <c>update --resources</c>.</summary>
public sealed class LinuxResources : SpecObject
{
    [JsonPropertyName("devices")] public List<LinuxDeviceCgroup>? Devices { get; set; }
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; set; }
    [JsonPropertyName("cpu")] public LinuxCPU? CPU { get; set; }
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; set; }
    [JsonPropertyName("blockIO")] public LinuxBlockIO? BlockIO { get; set; }
    [JsonPropertyName("hugepageLimits")] public List<LinuxHugepageLimit>? HugepageLimits { get; set; }
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; set; }
    /// <summary>rdma cgroup limits keyed by RDMA device name (e.g. <c>mlx5_0</c>).</summary>
    [JsonPropertyName("rdma")] public Dictionary<string, LinuxRdma>? Rdma { get; set; }
    /// <summary>cgroup v2 files to write, keyed by file name.</summary>
    [JsonPropertyName("unified")] public Dictionary<string, string>? Unified { get; set; }
}

/// <summary>Device cgroup rule.</summary>
public sealed class LinuxDeviceCgroup : SpecObject
{
    [JsonPropertyName("allow")] public bool Allow { get; set; }
    /// <summary><c>a</c>, <c>c</c> or <c>b</c>; null means all.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>Null means any major.</summary>
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Combination of <c>r</c>, <c>w</c>, <c>m</c>; null means all.</summary>
    [JsonPropertyName("access")] public string? Access { get; set; }
}

/// <summary>Memory cgroup limits (bytes; -1 means unlimited).</summary>
public sealed class LinuxMemory : SpecObject
{
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    [JsonPropertyName("reservation")] public long? Reservation { get; set; }
    [JsonPropertyName("swap")] public long? Swap { get; set; }
    [JsonPropertyName("kernel")] public long? Kernel { get; set; }
    [JsonPropertyName("kernelTCP")] public long? KernelTCP { get; set; }
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; set; }
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOOMKiller { get; set; }
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; set; }
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; set; }
}

/// <summary>CPU cgroup limits.</summary>
public sealed class LinuxCPU : SpecObject
{
    [JsonPropertyName("shares")] public ulong? Shares { get; set; }
    [JsonPropertyName("quota")] public long? Quota { get; set; }
    [JsonPropertyName("burst")] public ulong? Burst { get; set; }
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    [JsonPropertyName("realtimeRuntime")] public long? RealtimeRuntime { get; set; }
    [JsonPropertyName("realtimePeriod")] public ulong? RealtimePeriod { get; set; }
    [JsonPropertyName("cpus")] public string? Cpus { get; set; }
    [JsonPropertyName("mems")] public string? Mems { get; set; }
    [JsonPropertyName("idle")] public long? Idle { get; set; }
}

/// <summary>Pids cgroup limit.</summary>
public sealed class LinuxPids : SpecObject
{
    /// <summary>Max tasks; 0 or -1 mean unlimited.</summary>
    [JsonPropertyName("limit")] public long? Limit { get; set; }
}

/// <summary>A block device by major:minor.</summary>
public class LinuxBlockIODevice : SpecObject
{
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
}

/// <summary>Per-device blkio weight.</summary>
public sealed class LinuxWeightDevice : LinuxBlockIODevice
{
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
}

/// <summary>Per-device blkio throttle (bytes or ops per second).</summary>
public sealed class LinuxThrottleDevice : LinuxBlockIODevice
{
    [JsonPropertyName("rate")] public ulong Rate { get; set; }
}

/// <summary>Block IO cgroup settings.</summary>
public sealed class LinuxBlockIO : SpecObject
{
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
    [JsonPropertyName("weightDevice")] public List<LinuxWeightDevice>? WeightDevice { get; set; }
    [JsonPropertyName("throttleReadBpsDevice")] public List<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }
    [JsonPropertyName("throttleWriteBpsDevice")] public List<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }
    [JsonPropertyName("throttleReadIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleReadIOPSDevice { get; set; }
    [JsonPropertyName("throttleWriteIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleWriteIOPSDevice { get; set; }
}

/// <summary>Hugetlb limit for one page size (e.g. <c>2MB</c>).</summary>
public sealed class LinuxHugepageLimit : SpecObject
{
    [JsonPropertyName("pageSize")] public string Pagesize { get; set; } = "";
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
}

/// <summary>net_cls / net_prio settings.</summary>
public sealed class LinuxNetwork : SpecObject
{
    [JsonPropertyName("classID")] public uint? ClassID { get; set; }
    [JsonPropertyName("priorities")] public List<LinuxInterfacePriority>? Priorities { get; set; }
}

/// <summary>net_prio priority of one interface.</summary>
public sealed class LinuxInterfacePriority : SpecObject
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("priority")] public uint Priority { get; set; }
}

/// <summary>rdma cgroup limit for one device (<c>rdma.max</c>); null leaves that resource at "max".</summary>
public sealed class LinuxRdma : SpecObject
{
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; set; }
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; set; }
}
