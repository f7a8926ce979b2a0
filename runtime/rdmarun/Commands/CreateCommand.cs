using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class CreateCommand
{
    public static ArgParser Flags() => new ArgParser()
        .Flag("bundle|b", true).Flag("pid-file", true).Flag("console-socket", true).Flag("no-pivot")
        .Flag("no-new-keyring").Flag("preserve-fds", true).Flag("detach|d").Flag("keep").Flag("no-subreaper");

    public static CreateOptions Options(ArgParser p, string verb) => new()
    {
        Id = p.RequireId(verb),
        Bundle = p.Get("bundle") ?? ".",
        PidFile = p.Get("pid-file"),
        ConsoleSocket = p.Get("console-socket"),
        NoPivot = p.Bool("no-pivot"),
        NoNewKeyring = p.Bool("no-new-keyring"),
        PreserveFds = p.Int("preserve-fds") + ListenFds(),
    };

    /// <summary>Socket activation: LISTEN_FDS for this process means those fds are passed on too (runc does this).</summary>
    public static int ListenFds()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var n = Environment.GetEnvironmentVariable("LISTEN_FDS");
        return pid == Environment.ProcessId.ToString() && int.TryParse(n, out var k) && k > 0 ? k : 0;
    }

    public static int Run(GlobalOptions g, List<string> args, Logger log)
    {
        var p = Flags().Parse(args, 1, reorder: true);
        Create.Run(g, Options(p, "create"));
        return 0;
    }
}
