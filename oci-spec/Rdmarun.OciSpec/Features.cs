using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>
/// The <c>features</c> document (runtime-spec features.md). Go's nested types are named
/// <c>Linux</c>, <c>Cgroup</c>...; here they carry a <c>Features</c> suffix so they do not clash with the config types.
/// Report only what is implemented: a null bool means "unknown", false means "not supported".
/// </summary>
public sealed class Features : SpecObject
{
    [JsonPropertyName("ociVersionMin")] public string? OCIVersionMin { get; set; }
    [JsonPropertyName("ociVersionMax")] public string? OCIVersionMax { get; set; }
    [JsonPropertyName("hooks")] public List<string>? Hooks { get; set; }
    [JsonPropertyName("mountOptions")] public List<string>? MountOptions { get; set; }
    [JsonPropertyName("linux")] public LinuxFeatures? Linux { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("potentiallyUnsafeConfigAnnotations")] public List<string>? PotentiallyUnsafeConfigAnnotations { get; set; }
}

/// <summary>features.linux.</summary>
public sealed class LinuxFeatures : SpecObject
{
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    [JsonPropertyName("capabilities")] public List<string>? Capabilities { get; set; }
    [JsonPropertyName("cgroup")] public CgroupFeatures? Cgroup { get; set; }
    [JsonPropertyName("seccomp")] public SeccompFeatures? Seccomp { get; set; }
    [JsonPropertyName("apparmor")] public ApparmorFeatures? Apparmor { get; set; }
    [JsonPropertyName("selinux")] public SelinuxFeatures? Selinux { get; set; }
    [JsonPropertyName("intelRdt")] public IntelRdtFeatures? IntelRdt { get; set; }
    [JsonPropertyName("memoryPolicy")] public MemoryPolicyFeatures? MemoryPolicy { get; set; }
    [JsonPropertyName("mountExtensions")] public MountExtensionsFeatures? MountExtensions { get; set; }
    [JsonPropertyName("netDevices")] public NetDevicesFeatures? NetDevices { get; set; }
}

/// <summary>features.linux.cgroup.</summary>
public sealed class CgroupFeatures : SpecObject
{
    [JsonPropertyName("v1")] public bool? V1 { get; set; }
    [JsonPropertyName("v2")] public bool? V2 { get; set; }
    [JsonPropertyName("systemd")] public bool? Systemd { get; set; }
    [JsonPropertyName("systemdUser")] public bool? SystemdUser { get; set; }
    [JsonPropertyName("rdma")] public bool? Rdma { get; set; }
}

/// <summary>features.linux.seccomp.</summary>
public sealed class SeccompFeatures : SpecObject
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    [JsonPropertyName("actions")] public List<string>? Actions { get; set; }
    [JsonPropertyName("operators")] public List<string>? Operators { get; set; }
    [JsonPropertyName("archs")] public List<string>? Archs { get; set; }
    [JsonPropertyName("knownFlags")] public List<string>? KnownFlags { get; set; }
    [JsonPropertyName("supportedFlags")] public List<string>? SupportedFlags { get; set; }
}

/// <summary>features.linux.apparmor.</summary>
public sealed class ApparmorFeatures : SpecObject
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
}

/// <summary>features.linux.selinux.</summary>
public sealed class SelinuxFeatures : SpecObject
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
}

/// <summary>features.linux.intelRdt.</summary>
public sealed class IntelRdtFeatures : SpecObject
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    [JsonPropertyName("schemata")] public bool? Schemata { get; set; }
    [JsonPropertyName("monitoring")] public bool? Monitoring { get; set; }
}

/// <summary>features.linux.memoryPolicy.</summary>
public sealed class MemoryPolicyFeatures : SpecObject
{
    [JsonPropertyName("modes")] public List<string>? Modes { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

/// <summary>features.linux.mountExtensions.</summary>
public sealed class MountExtensionsFeatures : SpecObject
{
    [JsonPropertyName("idmap")] public IDMapFeatures? IDMap { get; set; }
}

/// <summary>features.linux.mountExtensions.idmap.</summary>
public sealed class IDMapFeatures : SpecObject
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
}

/// <summary>features.linux.netDevices.</summary>
public sealed class NetDevicesFeatures : SpecObject
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
}
