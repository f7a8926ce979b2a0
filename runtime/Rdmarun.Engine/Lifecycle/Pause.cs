using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`pause`: freezes every process of a running (or created) container, as runc.</summary>
public static class Pause
{
    public static void Run(GlobalOptions g, string id)
    {
        var store = new StateStore(g.Root);
        using var l = store.Lock(id);
        var r = store.Load(id);
        var status = Status.Of(r, store);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created)) throw new RuntimeError("container not running");
        Load(r).Freeze();
    }

    internal static ContainerCgroup Load(ContainerRecord r) =>
        ContainerCgroup.Load(r) ?? throw new RuntimeError($"container {r.Id} has no cgroup recorded in its state");
}
