using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rdmarun.Rdma;

/// <summary>The on-disk shape of /etc/rdmarun/rdma.json; <see cref="RdmaPolicy"/> is the validated form.</summary>
internal sealed class RdmaPolicyJson
{
    public Dictionary<string, RdmaDevicePolicyJson>? Devices { get; set; }
    public bool? Mad { get; set; }
    public bool? Sm { get; set; }
    public uint? DefaultHcaHandles { get; set; }
    public uint? DefaultHcaObjects { get; set; }
    public uint? MaxHcaHandles { get; set; }
    public uint? MaxHcaObjects { get; set; }
    public JsonElement? Memlock { get; set; }
    public JsonElement? MaxMemlock { get; set; }
    public string? MaxRate { get; set; }
    public string? DefaultRate { get; set; }
    public List<ushort>? Vlans { get; set; }
    public byte? MaxPriority { get; set; }
    public List<string>? NetdevChildren { get; set; }
    public List<string>? NetdevLinks { get; set; }
    public List<string>? HostNetdevs { get; set; }
}

internal sealed class RdmaDevicePolicyJson
{
    public List<string>? Pkeys { get; set; }
    public bool? Mad { get; set; }
    public bool? Sm { get; set; }
    public uint? DefaultHcaHandles { get; set; }
    public uint? DefaultHcaObjects { get; set; }
    public uint? MaxHcaHandles { get; set; }
    public uint? MaxHcaObjects { get; set; }
}

// Unknown members are errors: a misspelt key in a security policy must not silently widen access.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RdmaPolicyJson))]
internal sealed partial class RdmaPolicyJsonContext : JsonSerializerContext;
