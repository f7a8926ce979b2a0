using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>
/// Base of every spec object. Members this model does not know (newer spec fields, other platforms,
/// vendor extensions) land in <see cref="Extra"/> and are written back unchanged, so a config.json
/// that passes through rdmarun loses nothing.
/// </summary>
public abstract class SpecObject
{
    /// <summary>JSON members not mapped to a property; null when there were none.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
