namespace Rdmarun.Engine.Lifecycle;

/// <summary>`run`: create + start, then (unless --detach) wait for the init and delete the container.</summary>
public static class RunCommand
{
    public static int Run(GlobalOptions g, CreateOptions o, bool detach, bool keep, Action<string> warn)
    {
        using var waiter = detach ? null : ChildWaiter.BecomeSubreaper();
        var created = Create.Run(g, o);
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
        waiter.ForwardTo(created.Pid);
        int status = waiter.Wait(created.Pid);
        if (!keep)
            foreach (var w in Delete.Run(g, o.Id, force: true)) warn(w);
        return status;
    }
}
