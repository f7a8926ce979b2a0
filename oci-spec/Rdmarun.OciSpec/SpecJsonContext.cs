using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>
/// Source-generated (AOT-safe) serializer metadata for every top-level document rdmarun reads or writes.
/// Defaults follow Go's encoding/json as runc uses it: member names match case-insensitively, nulls are
/// omitted on write, numbers must be JSON numbers. Prefer <see cref="SpecJson"/>, which adds error reporting
/// and the output layouts runc uses.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    RespectNullableAnnotations = true,
    WriteIndented = true,
    IndentCharacter = '\t',
    IndentSize = 1)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(List<State>))]
[JsonSerializable(typeof(ContainerProcessState))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(string))]
public partial class SpecJsonContext : JsonSerializerContext;
