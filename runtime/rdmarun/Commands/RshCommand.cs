using Rdmarun.Engine;
using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

/// <summary>
/// `rdmarun rsh CONTAINER COMMAND...`: the remote-shell agent for launchers that start their
/// daemons over ssh (Open MPI's plm_rsh_agent / plm_ssh_agent, Intel MPI's bootstrap exec). The
/// "host" is a running container; like ssh, the words of the command are joined with spaces and
/// run by /bin/sh in the container, and the exit status is the command's.
/// </summary>
public static class RshCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        // ssh options launchers add (-x: no X11, -T: no tty, -n, -q) mean nothing here.
        var p = new ArgParser().Flag("x").Flag("T").Flag("n").Flag("q").Parse(args, 1);
        if (p.Positional.Count < 2)
            throw new RuntimeError("usage: rdmarun rsh CONTAINER COMMAND... (an interactive shell is not supported; use exec -t)");
        return Exec.Run(g, new ExecOptions
        {
            Id = p.Positional[0],
            Args = ["/bin/sh", "-c", string.Join(' ', p.Positional.Skip(1))],
            Tty = false,
        });
    }
}
