namespace Rdmarun.OciSpec;

/// <summary>RLIMIT_* names and their Linux resource numbers (asm-generic/resource.h).</summary>
public static class Rlimits
{
    /// <summary>Names indexed by resource number.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    static readonly Dictionary<string, int> ByName = Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);

    /// <summary>Resource number for setrlimit/prlimit.</summary>
    public static bool TryGetResource(string name, out int resource) => ByName.TryGetValue(name, out resource);
}
