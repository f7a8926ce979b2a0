using Rdmarun.Engine;
using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

/// <summary>`events [--stats] [--interval 5s] ID`: one JSON object per line, as runc.</summary>
public static class EventsCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Flag("stats").Flag("interval", true).Parse(args, 1, reorder: true);
        var id = p.RequireId("events");
        if (p.Bool("stats"))
        {
            Console.WriteLine(Events.StatsJson(g, id));
            return 0;
        }
        var interval = GoDuration.Parse(p.Get("interval") ?? "5s", "interval");
        return Events.Stream(g, id, interval, line => { Console.WriteLine(line); Console.Out.Flush(); });
    }
}
