using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>The container process (<c>process</c>), also the document given to <c>exec --process</c>.</summary>
public sealed class Process : SpecObject
{
    [JsonPropertyName("terminal"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Terminal { get; set; }
    [JsonPropertyName("consoleSize")] public Box? ConsoleSize { get; set; }
    [JsonPropertyName("user")] public User User { get; set; } = new();
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    /// <summary>Windows only; kept for round trip.</summary>
    [JsonPropertyName("commandLine")] public string? CommandLine { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    [JsonPropertyName("cwd")] public string Cwd { get; set; } = "";
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; set; }
    [JsonPropertyName("rlimits")] public List<POSIXRlimit>? Rlimits { get; set; }
    [JsonPropertyName("noNewPrivileges"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool NoNewPrivileges { get; set; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; set; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; set; }
    [JsonPropertyName("scheduler")] public Scheduler? Scheduler { get; set; }
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; set; }
    [JsonPropertyName("ioPriority")] public LinuxIOPriority? IOPriority { get; set; }
    [JsonPropertyName("execCPUAffinity")] public CPUAffinity? ExecCPUAffinity { get; set; }
}

/// <summary>Terminal size in characters.</summary>
public sealed class Box : SpecObject
{
    [JsonPropertyName("height")] public uint Height { get; set; }
    [JsonPropertyName("width")] public uint Width { get; set; }
}

/// <summary>Identity of the process inside the container.</summary>
public sealed class User : SpecObject
{
    [JsonPropertyName("uid")] public uint UID { get; set; }
    [JsonPropertyName("gid")] public uint GID { get; set; }
    [JsonPropertyName("umask")] public uint? Umask { get; set; }
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; set; }
    /// <summary>Windows only; kept for round trip.</summary>
    [JsonPropertyName("username")] public string? Username { get; set; }
}

/// <summary>Capability sets; names are <c>CAP_*</c> strings.</summary>
public sealed class LinuxCapabilities : SpecObject
{
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; set; }
    [JsonPropertyName("effective")] public List<string>? Effective { get; set; }
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; set; }
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; set; }
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; set; }
}

/// <summary>One rlimit; <see cref="Type"/> is an <c>RLIMIT_*</c> name.</summary>
public sealed class POSIXRlimit : SpecObject
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("hard")] public ulong Hard { get; set; }
    [JsonPropertyName("soft")] public ulong Soft { get; set; }
}

/// <summary>sched_setattr(2) parameters; see <see cref="LinuxSchedulerPolicy"/> for policy names.</summary>
public sealed class Scheduler : SpecObject
{
    [JsonPropertyName("policy")] public string Policy { get; set; } = "";
    [JsonPropertyName("nice"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Nice { get; set; }
    [JsonPropertyName("priority"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Priority { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("runtime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Runtime { get; set; }
    [JsonPropertyName("deadline"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Deadline { get; set; }
    [JsonPropertyName("period"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Period { get; set; }
}

/// <summary>ioprio_set(2) parameters; <see cref="Class"/> is an <c>IOPRIO_CLASS_*</c> name.</summary>
public sealed class LinuxIOPriority : SpecObject
{
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("priority")] public int Priority { get; set; }
}

/// <summary>CPU affinity for <c>exec</c>ed processes, cpuset list syntax.</summary>
public sealed class CPUAffinity : SpecObject
{
    [JsonPropertyName("initial")] public string? Initial { get; set; }
    [JsonPropertyName("final")] public string? Final { get; set; }
}
