using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class ResumeCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Parse(args, 1, reorder: true);
        Resume.Run(g, p.RequireId("resume"));
        return 0;
    }
}
