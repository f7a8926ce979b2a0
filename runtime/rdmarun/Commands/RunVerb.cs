using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class RunVerb
{
    public static int Run(GlobalOptions g, List<string> args, Logger log)
    {
        var p = CreateCommand.Flags().Parse(args, 1);
        return RunCommand.Run(g, CreateCommand.Options(p, "run"), p.Bool("detach"), p.Bool("keep"), log.Warn);
    }
}
