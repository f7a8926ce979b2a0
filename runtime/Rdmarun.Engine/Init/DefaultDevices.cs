namespace Rdmarun.Engine.Init;

/// <summary>The device nodes every container gets (runtime-spec config-linux.md "Default Devices").</summary>
public static class DefaultDevices
{
    public static readonly IReadOnlyList<(string Path, long Major, long Minor)> Nodes =
    [
        ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7),
        ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0),
    ];

    public static readonly IReadOnlyList<(string Link, string Target)> Symlinks =
    [
        ("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
        ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2"),
        ("/dev/ptmx", "pts/ptmx"),
    ];
}
