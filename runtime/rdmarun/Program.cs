using Rdmarun.Cli.Commands;
using Rdmarun.Engine;
using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli;

/// <summary>
/// rdmarun's command line: runc's global flags, then one verb. The verbs are thin: each parses
/// its flags and calls Rdmarun.Engine.
/// </summary>
public static class Program
{
    public const string Version = "0.1.0";

    public static int Main(string[] args)
    {
        // Stage 2 of nsexec (see runtime/native/PROTOCOL.md): we are the container's init.
        if (args.Length >= 1 && args[0] == "init")
            return Engine.Init.InitMain.Run();

        // Test-only: a thread churning the GC while the command forks and execs (the stress test
        // proves the spawn path is safe with a busy multi-threaded runtime). Ignored unless set.
        if (Environment.GetEnvironmentVariable("RDMARUN_TEST_GC_PRESSURE") == "1") GcPressure.Start();

        Logger log;
        GlobalOptions g;
        ArgParser p;
        try
        {
            p = new ArgParser()
                .Flag("root", true).Flag("rdma-policy", true).Flag("log", true).Flag("log-format", true).Flag("debug")
                .Flag("systemd-cgroup").Flag("rootless", true).Flag("criu", true).Flag("warm-run")
                .Flag("version|v").Flag("help|h")
                .Parse(args, 0);
            log = new Logger(p.Get("log"), p.Get("log-format") ?? "text", p.Bool("debug"));
            g = new GlobalOptions { SystemdCgroup = p.Bool("systemd-cgroup"), Debug = p.Bool("debug") };
            if (p.Get("root") is { } root) g.Root = Path.GetFullPath(root);
            if (p.Get("rdma-policy") is { } rdmaPolicy) g.RdmaPolicy = Path.GetFullPath(rdmaPolicy);
        }
        catch (RuntimeError e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        if (p.Bool("version")) { VersionCommand.Print(); return 0; }
        if (p.Positional.Count == 0 || p.Bool("help")) { Help.Print(); return p.Positional.Count == 0 && !p.Bool("help") ? 1 : 0; }

        var verb = p.Positional[0];
        var rest = p.Positional;
        try
        {
            return verb switch
            {
                "create" => CreateCommand.Run(g, rest, log),
                "start" => StartCommand.Run(g, rest, log),
                "run" => RunVerb.Run(g, rest, log),
                "launch" => LaunchCommand.Run(g, rest, log),
                "rsh" => RshCommand.Run(g, rest),
                "state" => StateCommand.Run(g, rest),
                "kill" => KillCommand.Run(g, rest),
                "delete" => DeleteCommand.Run(g, rest, log),
                "exec" => ExecCommand.Run(g, rest),
                "list" or "ps" when verb == "list" => ListCommand.Run(g, rest),
                "ps" => PsCommand.Run(g, rest),
                "pause" => PauseCommand.Run(g, rest),
                "resume" => ResumeCommand.Run(g, rest),
                "update" => UpdateCommand.Run(g, rest),
                "events" => EventsCommand.Run(g, rest),
                "spec" => SpecCommand.Run(rest),
                "features" => FeaturesCommand.Run(),
                "rdma-hook" => RdmaHookCommand.Run(g, rest),
                "cdi" => CdiCommand.Run(rest),
                "checkpoint" or "restore" => throw new RuntimeError($"{verb} is not supported by rdmarun (no criu integration)"),
                "help" => Help.Print(),
                _ => throw new RuntimeError($"no such command: {verb} (see rdmarun --help)"),
            };
        }
        catch (Exception e) when (e is RuntimeError or Engine.Native.SyscallException or OciSpec.SpecException
                                   or IOException or UnauthorizedAccessException or Hooks.HookException
                                   or Rdmarun.Cgroups.CgroupException or Hooks.PosixException
                                   or Rdma.RdmaPolicyException or Rdma.RdmaRequestException
                                   or Rdma.RdmaRefusalException or Rdma.Netlink.RdmaNetlinkException)
        {
            // .NET's file-system messages are bare resource keys in the AOT build: rebuild "path: reason".
            var msg = e is IOException or UnauthorizedAccessException ? OciSpec.IoErrorText.Describe(e) : e.Message;
            log.Error(msg);
            if (log.HasFile) Console.Error.WriteLine(msg);
            return e is RuntimeError re ? re.ExitCode : 1;
        }
    }
}
