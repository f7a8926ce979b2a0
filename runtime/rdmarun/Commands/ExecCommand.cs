using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class ExecCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser()
            .Flag("process|p", true).Flag("tty|t").Flag("detach|d").Flag("pid-file", true).Flag("console-socket", true)
            .Flag("env|e", true).Flag("cwd", true).Flag("user|u", true).Flag("additional-gids|g", true)
            .Flag("cap|c", true).Flag("no-new-privs").Flag("preserve-fds", true)
            .Flag("apparmor", true).Flag("process-label", true).Flag("ignore-paused").Flag("cgroup", true)
            .Parse(args, 1);
        var id = p.RequireId("exec");
        return Exec.Run(g, new ExecOptions
        {
            Id = id,
            ProcessFile = p.Get("process"),
            Args = p.Positional.Skip(1).ToList(),
            Tty = p.Has("tty") ? p.Bool("tty") : null,
            Detach = p.Bool("detach"),
            PidFile = p.Get("pid-file"),
            ConsoleSocket = p.Get("console-socket"),
            Env = p.GetAll("env"),
            Cwd = p.Get("cwd"),
            User = p.Get("user"),
            AdditionalGids = p.GetAll("additional-gids").Select(int.Parse).ToList(),
            Caps = p.GetAll("cap"),
            NoNewPrivs = p.Bool("no-new-privs"),
            PreserveFds = p.Int("preserve-fds"),
        });
    }
}
