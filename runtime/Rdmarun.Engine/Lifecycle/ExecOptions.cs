namespace Rdmarun.Engine.Lifecycle;

/// <summary>Flags of `exec`.</summary>
public sealed class ExecOptions
{
    public required string Id { get; init; }
    public string? ProcessFile { get; init; }
    public List<string> Args { get; init; } = [];
    public bool? Tty { get; init; }
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public List<string> Env { get; init; } = [];
    public string? Cwd { get; init; }
    public string? User { get; init; }
    public List<int> AdditionalGids { get; init; } = [];
    public List<string> Caps { get; init; } = [];
    public bool NoNewPrivs { get; init; }
    public int PreserveFds { get; init; }
}
