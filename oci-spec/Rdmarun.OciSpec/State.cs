using System.Text.Json.Serialization;

namespace Rdmarun.OciSpec;

/// <summary>
/// Container state: what <c>state</c> prints and what hooks read on stdin. Members are in <c>runc state</c>'s order;
/// <see cref="Rootfs"/>, <see cref="Created"/> and <see cref="Owner"/> are runc's additions to <c>runc state</c>.
/// </summary>
public sealed class State : SpecObject
{
    [JsonPropertyName("ociVersion")] public string Version { get; set; } = "";
    [JsonPropertyName("id")] public string ID { get; set; } = "";
    /// <summary>Init pid on the host; always written because runc prints <c>"pid": 0</c> for stopped containers.</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>One of <see cref="ContainerState"/>.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string? Rootfs { get; set; }
    /// <summary>Creation time, RFC 3339 with nanoseconds (see <see cref="Rfc3339Nano"/>).</summary>
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>runc prints the owner's user name, or "" for root.</summary>
    [JsonPropertyName("owner")] public string? Owner { get; set; }
}

/// <summary>
/// What a seccomp listener receives with the notify fd (<c>ContainerProcessState</c>).
/// </summary>
public sealed class ContainerProcessState : SpecObject
{
    [JsonPropertyName("ociVersion")] public string Version { get; set; } = "";
    /// <summary>Names of the fds passed alongside, e.g. <see cref="SeccompFdName"/>.</summary>
    [JsonPropertyName("fds")] public List<string> Fds { get; set; } = [];
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonPropertyName("state")] public State State { get; set; } = new();

    /// <summary>Fd name of the seccomp notify fd.</summary>
    public const string SeccompFdName = "seccompFd";
}

/// <summary>Go time.RFC3339Nano formatting: UTC offset as Z, fractional seconds without trailing zeros.</summary>
public static class Rfc3339Nano
{
    /// <summary>Formats like Go's <c>time.Format(time.RFC3339Nano)</c> (100 ns resolution).</summary>
    public static string Format(DateTimeOffset t)
    {
        string frac = t.ToString("fffffff", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0');
        string head = t.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        string zone = t.Offset == TimeSpan.Zero ? "Z" : t.ToString("zzz", System.Globalization.CultureInfo.InvariantCulture);
        return frac.Length == 0 ? head + zone : head + "." + frac + zone;
    }
}
