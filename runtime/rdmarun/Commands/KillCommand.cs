using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class KillCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Flag("all|a").Parse(args, 1, reorder: true);
        var id = p.RequireId("kill");
        int sig = p.Positional.Count > 1 ? SignalNames.Parse(p.Positional[1]) : 15;
        Kill.Run(g, id, sig, p.Bool("all"));
        return 0;
    }
}
