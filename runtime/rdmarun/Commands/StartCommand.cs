using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class StartCommand
{
    public static int Run(GlobalOptions g, List<string> args, Logger log)
    {
        var p = new ArgParser().Parse(args, 1, reorder: true);
        foreach (var w in Start.Run(g, p.RequireId("start"))) log.Warn(w);
        return 0;
    }
}
