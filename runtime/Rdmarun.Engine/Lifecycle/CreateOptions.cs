namespace Rdmarun.Engine.Lifecycle;

/// <summary>Flags of `create` (and `run`).</summary>
public sealed record CreateOptions
{
    public required string Id { get; init; }
    public string Bundle { get; init; } = ".";
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    /// <summary>An already connected console socket (run -t without --console-socket), or -1.</summary>
    public int ConsoleFd { get; init; } = -1;
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>
    /// Signal the container's init gets when the foreground `run` that waits for it dies (0: none).
    /// A SIGKILLed runtime otherwise leaves the init running with the caller's stdio, which keeps
    /// a Slurm step or an MPI launcher waiting on its pipes forever.
    /// </summary>
    public int ParentDeathSignal { get; init; }
    /// <summary>A rootless `run --warm-run` that will publish a run template (InitConfig.DumpableForTemplate).</summary>
    public bool DumpableForTemplate { get; init; }
}
