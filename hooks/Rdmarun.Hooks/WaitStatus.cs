namespace Rdmarun.Hooks;

/// <summary>Decodes the status word that waitpid(2) fills in (Linux layout).</summary>
public static class WaitStatus
{
    public static bool Exited(int status) => (status & 0x7f) == 0;
    public static bool Signaled(int status) => (status & 0x7f) is not 0 and not 0x7f;

    /// <summary>The exit code of a process that exited, else -1.</summary>
    public static int ExitStatus(int status) => Exited(status) ? (status >> 8) & 0xff : -1;

    /// <summary>The signal that killed the process, else 0.</summary>
    public static int TermSignal(int status) => Signaled(status) ? status & 0x7f : 0;

    /// <summary>A shell-style code: the exit code, or 128 + signal for a killed process.</summary>
    public static int ToExitCode(int status) => Signaled(status) ? 128 + TermSignal(status) : ExitStatus(status);

    /// <summary>"exit status 3" or "killed by signal 9 (SIGKILL)", for error messages.</summary>
    public static string Describe(int status) => Signaled(status)
        ? $"killed by signal {TermSignal(status)} ({SignalName(TermSignal(status))})"
        : $"exit status {ExitStatus(status)}";

    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>Linux signal name for 1..31, "SIGRTMIN+n" above.</summary>
    public static string SignalName(int signal) => signal switch
    {
        > 0 and < 32 => Names[signal],
        >= 34 and <= 64 => $"SIGRTMIN+{signal - 34}",
        _ => $"signal {signal}",
    };
}
