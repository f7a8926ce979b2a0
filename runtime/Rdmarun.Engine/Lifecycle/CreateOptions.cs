namespace Rdmarun.Engine.Lifecycle;

/// <summary>Flags of `create` (and `run`).</summary>
public sealed class CreateOptions
{
    public required string Id { get; init; }
    public string Bundle { get; init; } = ".";
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public int PreserveFds { get; init; }
}
