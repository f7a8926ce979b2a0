using System.Text.Json.Serialization;

namespace Rdmarun.Engine;

/// <summary>Source-generated JSON for the engine's small ad-hoc values.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class EngineJson : JsonSerializerContext;
