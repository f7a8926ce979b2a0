using Rdmarun.Rdma.Ipoib;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>
/// IPoIB children made for the container over rtnetlink: checks first (each parent on the host, each name free in
/// the container), then one RTM_NEWLINK per child that creates it inside the container's netns, then up. A
/// failure deletes the children made so far. Each is recorded as a created <see cref="MovedNetDevice"/> (kind
/// ipoib) before it exists, so the ordinary undo applies: deleted from a netns that outlives the container,
/// dying with one that does not.
/// </summary>
public static class IpoibChildNetdev
{
    const string At = "netdev: annotation " + IpoibChildren.Annotation;

    public static List<(RtnlLink Parent, IpoibChild Child, MovedNetDevice Record)> Plan(RtnlClient host, RtnlClient container, IReadOnlyList<IpoibChild> children)
    {
        var parents = new Dictionary<string, RtnlLink>(StringComparer.Ordinal);
        var plan = new List<(RtnlLink, IpoibChild, MovedNetDevice)>();
        foreach (var c in children)
        {
            if (!parents.TryGetValue(c.Parent, out var parent))
                parents[c.Parent] = parent = host.GetLink(c.Parent)
                    ?? throw new RtnlException($"{At}: the IPoIB device {c.Parent} of {c.Device} port {c.Port} does not exist in the host network namespace", Errno.ENODEV);
            if (container.GetLink(c.Name) is not null)
                throw new RtnlException($"{At}: the name {c.Name} is taken in the container's network namespace", Errno.EEXIST);
            plan.Add((parent, c, new MovedNetDevice
            {
                HostName = c.Name, ContainerName = c.Name, Kind = "ipoib", Created = true, Parent = c.Parent, WasUp = true,
            }));
        }
        return plan;
    }

    /// <summary>
    /// Creates the planned children in <paramref name="containerNetnsFd"/>; <paramref name="creating"/> is told of each
    /// record before its creation (to save it where `delete --force` finds it); its index and MAC are filled in after.
    /// </summary>
    public static void Create(RtnlClient host, RtnlClient container, IReadOnlyList<(RtnlLink Parent, IpoibChild Child, MovedNetDevice Record)> plan,
        int containerNetnsFd, Action<MovedNetDevice>? creating = null)
    {
        var made = new List<MovedNetDevice>();
        try
        {
            foreach (var (parent, c, rec) in plan)
            {
                creating?.Invoke(rec);
                host.AddIpoibChild(parent, c.Pkey, c.Name, containerNetnsFd);
                made.Add(rec);
                var inside = container.GetLink(c.Name)
                    ?? throw new RtnlException($"netdev: ipoib device {c.Name} was created but is not in the container's network namespace", Errno.ENODEV);
                rec.HostIndex = inside.Index;
                rec.Mac = inside.Mac;
                container.SetUp(inside, true);
            }
        }
        catch (RtnlException)
        {
            try { NetDeviceMover.MoveBack(container, host, made, -1); } // created ones are deleted, never moved
            catch (RtnlException) { /* the first failure says more; they die with the netns anyway */ }
            throw;
        }
    }
}
