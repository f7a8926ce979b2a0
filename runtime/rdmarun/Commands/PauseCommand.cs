using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class PauseCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Parse(args, 1, reorder: true);
        Pause.Run(g, p.RequireId("pause"));
        return 0;
    }
}
