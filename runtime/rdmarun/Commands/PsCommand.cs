using System.Text.Json;
using Rdmarun.Engine;
using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

/// <summary>`ps [--format table|json] ID [ps-args...]`: arguments after the id go to ps(1).</summary>
public static class PsCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Flag("format|f", true).Parse(args, 1);
        var id = p.RequireId("ps");
        var psArgs = p.Positional.Skip(1).ToList();
        switch (p.Get("format") ?? "table")
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(Ps.Pids(g, id).ToList(), EventJson.Default.ListInt32));
                return 0;
            case "table":
                Console.Write(Ps.Table(g, id, psArgs));
                return 0;
            case var f:
                throw new RuntimeError($"invalid format option \"{f}\": must be table or json");
        }
    }
}
