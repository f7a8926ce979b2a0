using Rdmarun.Engine;
using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

/// <summary>`rdmarun launch [flags] -- PROGRAM [ARGS...]`: one MPI rank in a throw-away container.</summary>
public static class LaunchCommand
{
    public static int Run(GlobalOptions g, List<string> args, Logger log)
    {
        var p = new ArgParser()
            .Flag("bundle|b", true).Flag("id", true).Flag("env|e", true).Flag("pass-env", true)
            .Flag("pid-ns", true).Flag("no-host-tmp").Flag("no-bind-cwd").Flag("bind", true).Flag("drop-templates")
            .Parse(args, 1);
        // Remove every warm-launch template (LAUNCH_TEMPLATE.md); no program to run.
        if (p.Bool("drop-templates")) return Launch.DropTemplates(g, log.Warn);
        var pidNs = p.Get("pid-ns") ?? "host";
        if (pidNs is not ("host" or "private")) throw new RuntimeError($"launch --pid-ns {pidNs}: expected host or private");
        var pass = p.GetAll("pass-env");
        return Launch.Run(g, new LaunchOptions
        {
            Bundle = p.Get("bundle") ?? ".",
            Id = p.Get("id"),
            Args = p.Positional,
            Env = p.GetAll("env"),
            PassPrefixes = pass.Where(v => v.EndsWith('*')).Select(v => v.TrimEnd('*')).ToList(),
            PassNames = pass.Where(v => !v.EndsWith('*')).ToList(),
            PrivatePidNs = pidNs == "private",
            HostTmp = !p.Bool("no-host-tmp"),
            BindCwd = !p.Bool("no-bind-cwd"),
            Binds = p.GetAll("bind").Select(ParseBind).ToList(),
        }, log.Warn, log.Debug);
    }

    private static (string, string) ParseBind(string v)
    {
        var parts = v.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0 || !parts[0].StartsWith('/'))
            throw new RuntimeError($"launch --bind {v}: expected /SOURCE[:/DESTINATION]");
        var dst = parts.Length == 2 ? parts[1] : parts[0];
        if (!dst.StartsWith('/')) throw new RuntimeError($"launch --bind {v}: the destination must be an absolute path");
        return (parts[0], dst);
    }
}
