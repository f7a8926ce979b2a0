using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>Seccomp filter (<c>linux.seccomp</c>). Action, arch, flag and operator names are libseccomp's strings.</summary>
public sealed class LinuxSeccomp : SpecObject
{
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
}

/// <summary>A rule: these syscall names get this action.</summary>
public sealed class LinuxSyscall : SpecObject
{
    [JsonPropertyName("names")] public List<string> Names { get; set; } = [];
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
}

/// <summary>Argument comparison of a seccomp rule.</summary>
public sealed class LinuxSeccompArg : SpecObject
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong ValueTwo { get; set; }
    /// <summary><c>SCMP_CMP_*</c>.</summary>
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}
