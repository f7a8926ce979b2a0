using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Cli.Commands;

public static class StateCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Parse(args, 1, reorder: true);
        Console.WriteLine(SpecJson.Serialize(StateQuery.One(g, p.RequireId("state"))));
        return 0;
    }
}
