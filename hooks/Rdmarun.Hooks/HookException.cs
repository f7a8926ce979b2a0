namespace Rdmarun.Hooks;

/// <summary>A hook could not be started, exited non-zero, was killed, or ran past its timeout.</summary>
public sealed class HookException(string message, string phase, int index, string path) : Exception(message)
{
    /// <summary>Lifecycle point, e.g. "prestart".</summary>
    public string Phase { get; } = phase;
    /// <summary>Position of the hook in its phase's list (0-based, as in the message).</summary>
    public int Index { get; } = index;
    public string Path { get; } = path;
    /// <summary>True when the hook was killed because it ran past its timeout.</summary>
    public bool TimedOut { get; init; }
    /// <summary>waitpid status of the hook, or null when it never started.</summary>
    public int? WaitStatus { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
}

/// <summary>What a hook that succeeded printed.</summary>
public sealed record HookResult(int Pid, string Stdout, string Stderr);
