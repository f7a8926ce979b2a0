using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class DeleteCommand
{
    public static int Run(GlobalOptions g, List<string> args, Logger log)
    {
        var p = new ArgParser().Flag("force|f").Parse(args, 1, reorder: true);
        foreach (var w in Delete.Run(g, p.RequireId("delete"), p.Bool("force"))) log.Warn(w);
        return 0;
    }
}
