namespace Rdmarun.Engine;

/// <summary>A failure to report to the user as is: the message says what, where and why.</summary>
public class RuntimeError : Exception
{
    /// <summary>Process exit status the CLI should use (1 like runc unless a command says otherwise).</summary>
    public int ExitCode { get; init; } = 1;

    public RuntimeError(string message) : base(message) { }
    public RuntimeError(string message, Exception inner) : base(message, inner) { }
}
