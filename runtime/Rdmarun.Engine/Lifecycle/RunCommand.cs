namespace Rdmarun.Engine.Lifecycle;

/// <summary>`run`: create + start, then (unless --detach) wait for the init and delete the container.</summary>
public static class RunCommand
{
    public static int Run(GlobalOptions g, CreateOptions o, bool detach, bool keep, Action<string> warn)
    {
        using var waiter = detach ? null : ChildWaiter.BecomeSubreaper();
        // Foreground with a terminal and no console socket: we hold the pty ourselves (as runc).
        using var tty = !detach && o.ConsoleSocket is null && WantsTerminal(o.Bundle) ? TtyProxy.Create() : null;
        if (tty is not null) o = new CreateOptions
        {
            Id = o.Id, Bundle = o.Bundle, PidFile = o.PidFile, NoPivot = o.NoPivot, NoNewKeyring = o.NoNewKeyring,
            PreserveFds = o.PreserveFds, ConsoleFd = tty.ChildEnd,
        };
        var created = Create.Run(g, o);
        tty?.CloseChildEnd();
        try
        {
            foreach (var w in Start.Run(g, o.Id)) warn(w);
        }
        catch
        {
            Delete.Run(g, o.Id, force: true);
            throw;
        }
        if (waiter is null) return 0;
        tty?.Start();
        waiter.ForwardTo(created.Pid);
        int status = waiter.Wait(created.Pid);
        if (!keep)
            foreach (var w in Delete.Run(g, o.Id, force: true)) warn(w);
        return status;
    }

    private static bool WantsTerminal(string bundle)
    {
        try { return OciSpec.SpecJson.LoadSpec(Path.GetFullPath(bundle)).Process?.Terminal == true; }
        catch (OciSpec.SpecException) { return false; } // create reports the problem properly
    }
}
