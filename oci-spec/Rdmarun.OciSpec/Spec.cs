using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>The container's configuration: the bundle's config.json (runtime-spec <c>Spec</c>).</summary>
/// <remarks>Solaris, Windows, VM, z/OS and FreeBSD sections are not modelled; they survive in <see cref="SpecObject.Extra"/>.</remarks>
public sealed class Spec : SpecObject
{
    /// <summary>The spec version the bundle follows (json <c>ociVersion</c>).</summary>
    [JsonPropertyName("ociVersion")] public string Version { get; set; } = "";
    [JsonPropertyName("process")] public Process? Process { get; set; }
    [JsonPropertyName("root")] public Root? Root { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("domainname")] public string? Domainname { get; set; }
    [JsonPropertyName("mounts")] public List<Mount>? Mounts { get; set; }
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("linux")] public Linux? Linux { get; set; }
}

/// <summary>The container's root filesystem.</summary>
public sealed class Root : SpecObject
{
    /// <summary>Rootfs path, absolute or relative to the bundle.</summary>
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("readonly"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Readonly { get; set; }
}

/// <summary>One entry of <c>mounts</c>.</summary>
public sealed class Mount : SpecObject
{
    [JsonPropertyName("destination")] public string Destination { get; set; } = "";
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
    /// <summary>Id-mapped mount: uid mappings (needs <see cref="GIDMappings"/> too).</summary>
    [JsonPropertyName("uidMappings")] public List<LinuxIDMapping>? UIDMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIDMapping>? GIDMappings { get; set; }
}

/// <summary>One hook command.</summary>
public sealed class Hook : SpecObject
{
    /// <summary>Absolute path of the executable, resolved in the runtime namespace.</summary>
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>Full argv including argv[0]; null means just <see cref="Path"/>.</summary>
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    /// <summary>Seconds before the hook is aborted; null means no timeout.</summary>
    [JsonPropertyName("timeout")] public int? Timeout { get; set; }
}

/// <summary>Hooks per lifecycle point.</summary>
public sealed class Hooks : SpecObject
{
    /// <summary>Deprecated in the spec, still run by runc (between createRuntime and createContainer).</summary>
    [JsonPropertyName("prestart")] public List<Hook>? Prestart { get; set; }
    [JsonPropertyName("createRuntime")] public List<Hook>? CreateRuntime { get; set; }
    [JsonPropertyName("createContainer")] public List<Hook>? CreateContainer { get; set; }
    [JsonPropertyName("startContainer")] public List<Hook>? StartContainer { get; set; }
    [JsonPropertyName("poststart")] public List<Hook>? Poststart { get; set; }
    [JsonPropertyName("poststop")] public List<Hook>? Poststop { get; set; }
}
