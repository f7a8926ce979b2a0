using Rdmarun.Engine.Container;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`resume`: thaws a paused container, as runc.</summary>
public static class Resume
{
    public static void Run(GlobalOptions g, string id)
    {
        var store = new StateStore(g.Root);
        using var l = store.Lock(id);
        var r = store.Load(id);
        if (Status.Of(r, store) != ContainerStatus.Paused) throw new RuntimeError("container not paused");
        Pause.Load(r).Thaw();
    }
}
