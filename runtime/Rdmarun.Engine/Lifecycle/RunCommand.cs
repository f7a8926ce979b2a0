namespace Rdmarun.Engine.Lifecycle;

/// <summary>`run`: create + start, then (unless --detach) wait for the init and delete the container.</summary>
public static class RunCommand
{
    /// <summary>
    /// <paramref name="loaded"/>: the spec to run when the caller built it (launch).
    /// <paramref name="afterCreate"/>: runs between create and start (launch publishes its template there); it must not throw.
    /// </summary>
    public static int Run(GlobalOptions g, CreateOptions o, bool detach, bool keep, Action<string> warn, OciSpec.Spec? loaded = null,
        Action<Create.Result>? afterCreate = null)
    {
        Container.StateStore.ValidateId(o.Id);
        var spec = loaded ?? Create.LoadAndCheck(Path.GetFullPath(o.Bundle));
        using var waiter = detach ? null : ChildWaiter.BecomeSubreaper();
        // Foreground with a terminal and no console socket: we hold the pty ourselves (as runc).
        using var tty = !detach && o.ConsoleSocket is null && spec.Process?.Terminal == true ? TtyProxy.Create() : null;
        if (tty is not null) o = o with { ConsoleFd = tty.ChildEnd };
        // We are the init's parent (subreaper) while we wait: it dies with us rather than outlive
        // us holding the caller's stdio (FINDINGS F4: a scancel'ed Slurm step never finished).
        if (waiter is not null) o = o with { ParentDeathSignal = Native.LibcConst.SIGKILL };
        var created = Create.Run(g, o, spec);
        tty?.CloseChildEnd();
        try
        {
            afterCreate?.Invoke(created);
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
}
