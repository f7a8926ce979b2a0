using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Cli.Commands;

public static class ListCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Flag("format|f", true).Flag("quiet|q").Parse(args, 1, reorder: true);
        var all = StateQuery.All(g);
        if (p.Bool("quiet")) { foreach (var s in all) Console.WriteLine(s.ID); return 0; }
        var format = p.Get("format") ?? "table";
        if (format == "json") { Console.WriteLine(SpecJson.Serialize(all)); return 0; }
        if (format != "table") throw new Engine.RuntimeError($"invalid format option \"{format}\": use table or json");
        // runc's tabwriter layout: columns padded to the widest cell + 3, at least 12 wide.
        var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        rows.AddRange(all.Select(s => new[] { s.ID, s.Pid.ToString(), s.Status, s.Bundle, s.Created ?? "", s.Owner ?? "" }));
        var widths = Enumerable.Range(0, 6).Select(c => Math.Max(12, rows.Max(r => r[c].Length) + 3)).ToArray();
        foreach (var r in rows)
            Console.WriteLine(string.Concat(r.Select((cell, c) => c == 5 ? cell : cell.PadRight(widths[c]))));
        return 0;
    }
}
