using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>Linux-specific configuration (<c>linux</c>).</summary>
public sealed class Linux : SpecObject
{
    [JsonPropertyName("uidMappings")] public List<LinuxIDMapping>? UIDMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIDMapping>? GIDMappings { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    /// <summary>Host network devices moved into the container, keyed by host interface name.</summary>
    [JsonPropertyName("netDevices")] public Dictionary<string, LinuxNetDevice>? NetDevices { get; set; }
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; set; }
    [JsonPropertyName("memoryPolicy")] public LinuxMemoryPolicy? MemoryPolicy { get; set; }
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    /// <summary>Time namespace offsets keyed by clock name (<c>monotonic</c>, <c>boottime</c>).</summary>
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
}

/// <summary>A namespace to create (no <see cref="Path"/>) or join (<see cref="Path"/> set).</summary>
public sealed class LinuxNamespace : SpecObject
{
    /// <summary>One of <see cref="LinuxNamespaceType"/>.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("path")] public string? Path { get; set; }
}

/// <summary>One uid/gid mapping range.</summary>
public sealed class LinuxIDMapping : SpecObject
{
    [JsonPropertyName("containerID")] public uint ContainerID { get; set; }
    [JsonPropertyName("hostID")] public uint HostID { get; set; }
    [JsonPropertyName("size")] public uint Size { get; set; }
}

/// <summary>Offset of one clock in a time namespace.</summary>
public sealed class LinuxTimeOffset : SpecObject
{
    [JsonPropertyName("secs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Secs { get; set; }
    [JsonPropertyName("nanosecs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public uint Nanosecs { get; set; }
}

/// <summary>A device node to create in the container.</summary>
public sealed class LinuxDevice : SpecObject
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary><c>c</c>, <c>b</c>, <c>u</c> or <c>p</c>.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    /// <summary>Permission bits (Go os.FileMode, written as a decimal number).</summary>
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? UID { get; set; }
    [JsonPropertyName("gid")] public uint? GID { get; set; }
}

/// <summary>Target of a moved network device.</summary>
public sealed class LinuxNetDevice : SpecObject
{
    /// <summary>Name inside the container; null keeps the host name.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
}

/// <summary>personality(2) domain and flags.</summary>
public sealed class LinuxPersonality : SpecObject
{
    /// <summary><c>LINUX</c> or <c>LINUX32</c>.</summary>
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

/// <summary>Intel RDT (resctrl) settings.</summary>
public sealed class LinuxIntelRdt : SpecObject
{
    [JsonPropertyName("closID")] public string? ClosID { get; set; }
    [JsonPropertyName("schemata")] public List<string>? Schemata { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    [JsonPropertyName("enableMonitoring"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EnableMonitoring { get; set; }
}

/// <summary>set_mempolicy(2) settings (runtime-spec 1.3).</summary>
public sealed class LinuxMemoryPolicy : SpecObject
{
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";
    [JsonPropertyName("nodes")] public string? Nodes { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}
