using Rdmarun.Engine.Rdma.Hook;

namespace Rdmarun.Cli.Commands;

/// <summary>`rdma-hook PHASE`: the OCI hook for runc/crun containers (see <see cref="RdmaHook"/>); state on stdin.</summary>
public static class RdmaHookCommand
{
    public static int Run(Engine.Lifecycle.GlobalOptions g, List<string> args)
    {
        if (args.Count != 2) throw new Engine.RuntimeError($"usage: rdmarun rdma-hook {string.Join("|", RdmaHook.Phases)} (the OCI state on stdin)");
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        RdmaHook.Run(args[1], buffer.ToArray(), policyPath: g.RdmaPolicy);
        return 0;
    }
}
