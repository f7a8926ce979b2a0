using System.Text.Json.Serialization;

namespace Rdmarun.Engine.Lifecycle;

// The JSON of `runc events` (runc's types/events.go): field names and omitempty as there, so
// containerd and other callers parse rdmarun's output unchanged. "rdma" is rdmarun's addition.

public sealed class Event
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("data")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public EventStats? Data { get; set; }
}

public sealed class EventStats
{
    [JsonPropertyName("cpu")] public EventCpu Cpu { get; set; } = new();
    [JsonPropertyName("cpuset")] public Dictionary<string, ulong> CpuSet { get; set; } = new();
    [JsonPropertyName("memory")] public EventMemory Memory { get; set; } = new();
    [JsonPropertyName("pids")] public EventPids Pids { get; set; } = new();
    [JsonPropertyName("blkio")] public EventBlkio Blkio { get; set; } = new();
    [JsonPropertyName("hugetlb")] public Dictionary<string, EventHugetlb> Hugetlb { get; set; } = new();
    [JsonPropertyName("intel_rdt")] public Dictionary<string, ulong> IntelRdt { get; set; } = new();
    [JsonPropertyName("network_interfaces")] public List<string>? NetworkInterfaces { get; set; }
    [JsonPropertyName("rdma")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, EventRdma>? Rdma { get; set; }
}

public sealed class EventCpu
{
    [JsonPropertyName("usage")] public EventCpuUsage Usage { get; set; } = new();
    [JsonPropertyName("throttling")] public EventThrottling Throttling { get; set; } = new();
}

public sealed class EventCpuUsage
{
    [JsonPropertyName("total")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Total { get; set; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    [JsonPropertyName("user")] public ulong User { get; set; }
}

public sealed class EventThrottling
{
    [JsonPropertyName("periods")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Periods { get; set; }
    [JsonPropertyName("throttledPeriods")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledPeriods { get; set; }
    [JsonPropertyName("throttledTime")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledTime { get; set; }
}

public sealed class EventMemory
{
    [JsonPropertyName("cache")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Cache { get; set; }
    [JsonPropertyName("usage")] public EventMemoryEntry Usage { get; set; } = new();
    [JsonPropertyName("swap")] public EventMemoryEntry Swap { get; set; } = new();
    [JsonPropertyName("kernel")] public EventMemoryEntry Kernel { get; set; } = new();
    [JsonPropertyName("kernelTCP")] public EventMemoryEntry KernelTcp { get; set; } = new();
    [JsonPropertyName("raw")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, ulong>? Raw { get; set; }
}

public sealed class EventMemoryEntry
{
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

public sealed class EventPids
{
    [JsonPropertyName("current")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Current { get; set; }
    [JsonPropertyName("limit")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}

public sealed class EventBlkio
{
    [JsonPropertyName("ioServiceBytesRecursive")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<EventBlkioEntry>? IoServiceBytesRecursive { get; set; }
    [JsonPropertyName("ioServicedRecursive")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<EventBlkioEntry>? IoServicedRecursive { get; set; }
}

public sealed class EventBlkioEntry
{
    [JsonPropertyName("major")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Major { get; set; }
    [JsonPropertyName("minor")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Minor { get; set; }
    [JsonPropertyName("op")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Op { get; set; }
    [JsonPropertyName("value")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Value { get; set; }
}

public sealed class EventHugetlb
{
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

/// <summary>rdma cgroup usage of one device; limits absent mean "max".</summary>
public sealed class EventRdma
{
    [JsonPropertyName("hcaHandles")] public ulong HcaHandles { get; set; }
    [JsonPropertyName("hcaObjects")] public ulong HcaObjects { get; set; }
    [JsonPropertyName("hcaHandlesLimit")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ulong? HcaHandlesLimit { get; set; }
    [JsonPropertyName("hcaObjectsLimit")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ulong? HcaObjectsLimit { get; set; }
    /// <summary>By port number: the container's QPs and their traffic counters (granted devices only).</summary>
    [JsonPropertyName("ports")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, EventRdmaPort>? Ports { get; set; }
    /// <summary>Why the ports have no counter values, e.g. "counters not supported by rxe".</summary>
    [JsonPropertyName("countersUnavailable")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CountersUnavailable { get; set; }
}

/// <summary>The container's QPs on one port; counters are the driver's names summed over the container's QP counters.</summary>
public sealed class EventRdmaPort
{
    [JsonPropertyName("qps")] public int Qps { get; set; }
    [JsonPropertyName("counters")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, ulong>? Counters { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(List<int>))]
public sealed partial class EventJson : JsonSerializerContext;
