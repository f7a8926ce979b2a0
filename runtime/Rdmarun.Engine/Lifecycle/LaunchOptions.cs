namespace Rdmarun.Engine.Lifecycle;

/// <summary>Flags of `launch`.</summary>
public sealed record LaunchOptions
{
    public string Bundle { get; init; } = ".";
    /// <summary>Container id; default launch-PID-RANDOM (unique per host).</summary>
    public string? Id { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>--env NAME=VALUE, set last.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>--pass-env PREFIX* or NAME: more of the launcher's variables to pass.</summary>
    public IReadOnlyList<string> PassPrefixes { get; init; } = [];
    public IReadOnlyList<string> PassNames { get; init; } = [];
    /// <summary>--pid-ns private: own PID namespace (the rank is PID 1; Open MPI's single-copy
    /// shared memory (CMA) between ranks then fails, see the README).</summary>
    public bool PrivatePidNs { get; init; }
    /// <summary>Bind the host's /tmp and /dev/shm (the launcher's session directory).</summary>
    public bool HostTmp { get; init; } = true;
    /// <summary>Bind the current directory at the same path.</summary>
    public bool BindCwd { get; init; } = true;
    /// <summary>--bind SRC[:DST].</summary>
    public IReadOnlyList<(string Source, string Destination)> Binds { get; init; } = [];
    /// <summary>"pid:starttime" of the launching rdmarun, recorded so orphans can be found.</summary>
    public string LauncherTag { get; init; } = "";
}
