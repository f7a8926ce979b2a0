using Rdmarun.Rdma;
using Rdmarun.Rdma.Cdi;

namespace Rdmarun.Cli.Commands;

/// <summary>
/// `cdi generate [--kind K] [--mad] [--issm] [--hook-path P | --no-hooks] [--output FILE]`: a CDI spec of this
/// host's RDMA devices for CDI-aware engines (`podman run --device rdmarun.io/rdma=mlx5_0`).
/// </summary>
public static class CdiCommand
{
    public static int Run(List<string> args)
    {
        if (args.Count < 2 || args[1] != "generate") throw new Engine.RuntimeError("usage: rdmarun cdi generate [--kind VENDOR/CLASS] [--mad] [--issm] [--hook-path PATH | --no-hooks] [--output FILE]");
        var p = new ArgParser().Flag("kind", true).Flag("mad").Flag("issm").Flag("hook-path", true).Flag("no-hooks").Flag("output|o", true).Parse(args, 2);
        if (p.Positional.Count > 0) throw new Engine.RuntimeError($"cdi generate: unexpected argument {p.Positional[0]}");
        if (p.Bool("no-hooks") && p.Has("hook-path")) throw new Engine.RuntimeError("cdi generate: --hook-path and --no-hooks exclude each other");
        // The hook is this very binary (`rdmarun rdma-hook PHASE`), by the absolute path engines need.
        var hook = p.Bool("no-hooks") ? null : p.Get("hook-path") is { } h ? Path.GetFullPath(h) : Environment.ProcessPath;
        var options = new CdiOptions(p.Get("kind") ?? CdiSpecGenerator.DefaultKind, p.Bool("mad"), p.Bool("issm"), hook);
        string json;
        try { json = CdiSpecGenerator.Generate(new SysfsRdmaDiscovery().Discover(), options); }
        catch (CdiException e) { throw new Engine.RuntimeError(e.Message, e); }
        if (p.Get("output") is not { } output) { Console.Out.Write(json); return 0; }
        // Engines rescan /etc/cdi and /var/run/cdi: write beside and rename so they never read half a spec.
        var tmp = output + ".tmp";
        File.WriteAllText(tmp, json);
        File.Move(tmp, output, overwrite: true);
        return 0;
    }
}
