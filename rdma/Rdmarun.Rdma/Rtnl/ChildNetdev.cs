using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Roce;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>
/// The RoCE child of a host netdev, made for the container: checks first (parent on the host and not a loopback,
/// name free in the container), then one RTM_NEWLINK that creates it inside the container's netns, its
/// addresses, up. On failure it is deleted again. It dies with the container's netns like any virtual device.
/// </summary>
public static class ChildNetdev
{
    /// <summary>The record to save (before the change) and the parent; refusals before anything exists.</summary>
    public static (RtnlLink Parent, MovedNetDevice Record) Plan(RtnlClient host, RtnlClient container, RoceChildRequest request, string link)
    {
        var at = $"annotation {RoceChildRequest.KindAnnotation}";
        var parent = host.GetLink(link)
            ?? throw new RtnlException($"netdev: {at}: the parent network device {link} does not exist in the host network namespace", Errno.ENODEV);
        if ((parent.Flags & 0x8) != 0)
            throw new RtnlException($"netdev: {at}: the parent {link} is a loopback device", Errno.EINVAL);
        if (container.GetLink(request.Name) is not null)
            throw new RtnlException($"netdev: {at}: the name {request.Name} is taken in the container's network namespace", Errno.EEXIST);
        return (parent, new MovedNetDevice
        {
            HostName = request.Name, ContainerName = request.Name, Kind = request.Kind, Created = true, Parent = link,
            Addresses = [.. request.Addresses], WasUp = true,
        });
    }

    public static void Create(RtnlClient host, RtnlClient container, RtnlLink parent, RoceChildRequest request, MovedNetDevice record, int containerNetnsFd)
    {
        host.AddChild(parent, request.Kind, request.VlanId, request.Name, containerNetnsFd);
        try
        {
            var inside = container.GetLink(request.Name)
                ?? throw new RtnlException($"netdev: {request.Kind} device {request.Name} was created but is not in the container's network namespace", Errno.ENODEV);
            record.HostIndex = inside.Index;
            record.Mac = inside.Mac;
            foreach (var a in record.Addresses) container.AddAddress(RtnlAddress.Parse(a, inside.Index), request.Name);
            container.SetUp(inside, true);
        }
        catch (RtnlException)
        {
            try { if (container.GetLink(request.Name) is { } made) container.DeleteLink(made); }
            catch (RtnlException) { /* the first failure says more; the device dies with the netns anyway */ }
            throw;
        }
    }
}
