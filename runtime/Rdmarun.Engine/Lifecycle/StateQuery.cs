using Rdmarun.Engine.Container;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>`state` and `list`.</summary>
public static class StateQuery
{
    public static OciSpec.State One(GlobalOptions g, string id)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(id);
        var r = store.Load(id);
        return Status.ToSpecState(r, Status.Of(r, store));
    }

    public static List<OciSpec.State> All(GlobalOptions g)
    {
        var store = new StateStore(g.Root);
        var list = new List<OciSpec.State>();
        foreach (var id in store.Ids().Order(StringComparer.Ordinal))
        {
            try
            {
                var r = store.Load(id);
                var state = Status.ToSpecState(r, Status.Of(r, store));
                state.Owner = OwnerName.Of(store.DirOf(id)); // `state` leaves it empty, as runc
                list.Add(state);
            }
            catch (RuntimeError) { /* removed while listing */ }
        }
        return list;
    }
}
