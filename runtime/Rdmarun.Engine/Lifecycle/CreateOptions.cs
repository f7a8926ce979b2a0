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
}
