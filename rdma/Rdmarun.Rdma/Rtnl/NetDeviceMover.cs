using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>A linux.netDevices entry: the host device and its name in the container.</summary>
public sealed record NetDeviceRequest(string HostName, string ContainerName);

/// <summary>
/// A device moved into a container, as saved in the container's record: enough to give it back as it was
/// (name, addresses, up) after a failure, a `delete --force`, or the kernel's return of a physical device.
/// </summary>
public sealed class MovedNetDevice
{
    public string HostName { get; set; } = "";
    public string ContainerName { get; set; } = "";
    /// <summary>IFLA_INFO_KIND; null = physical, which the kernel hands back when the netns dies (virtual ones die with it).</summary>
    public string? Kind { get; set; }
    public bool WasUp { get; set; }
    /// <summary>Index and MAC on the host: a physical device the kernel hands back keeps both (the index unless taken).</summary>
    public int HostIndex { get; set; }
    public string? Mac { get; set; }
    /// <summary>"10.0.0.1/24", the addresses re-added in the container and on the way back.</summary>
    public List<string> Addresses { get; set; } = [];
    /// <summary>An SR-IOV VF: its PF's netdev and VF number; their rate/VLAN settings are reset on the way back.</summary>
    public string? Pf { get; set; }
    public uint? Vf { get; set; }
    /// <summary>What rdmarun set on the VF (so only that is reset; an administrator's own VF settings stay).</summary>
    public bool VfRateSet { get; set; }
    public bool VfVlanSet { get; set; }
    /// <summary>A RoCE child rdmarun created in the container (on host device <see cref="Parent"/>): undone by deleting it.</summary>
    public bool Created { get; set; }
    public string? Parent { get; set; }
}

/// <summary>
/// linux.netDevices: every check before the first change, then move + rename, addresses, up; on a failure
/// every device already moved goes back to the host under its own name with its addresses. Two rtnetlink
/// clients: one whose socket is in the host netns, one in the container's (rtnetlink finds devices by name
/// only in its socket's netns).
/// </summary>
public static class NetDeviceMover
{
    const uint IffLoopback = 0x8;
    const string Into = "the container's network namespace";
    const string Back = "the host network namespace";

    /// <summary>Refusals, before anything changes: a device absent from the host, the loopback, a name taken in the container.</summary>
    public static List<(RtnlLink Link, MovedNetDevice Record)> Plan(RtnlClient host, RtnlClient container, IReadOnlyList<NetDeviceRequest> requests)
    {
        var plan = new List<(RtnlLink, MovedNetDevice)>();
        foreach (var r in requests)
        {
            var at = $"linux.netDevices.{r.HostName}";
            var link = host.GetLink(r.HostName)
                ?? throw new RtnlException($"netdev: {at}: network device {r.HostName} does not exist in the host network namespace", Errno.ENODEV);
            if ((link.Flags & IffLoopback) != 0)
                throw new RtnlException($"netdev: {at}: {r.HostName} is a loopback device, which belongs to its network namespace", Errno.EINVAL);
            if (container.GetLink(r.ContainerName) is not null)
                throw new RtnlException($"netdev: {at}: the name {r.ContainerName} is taken in the container's network namespace", Errno.EEXIST);
            var addresses = host.GetAddresses(link.Index).Where(a => a.Restorable).Select(a => a.ToString()).ToList();
            plan.Add((link, new MovedNetDevice
            {
                HostName = r.HostName, ContainerName = r.ContainerName, Kind = link.Kind, WasUp = link.IsUp, Addresses = addresses,
                HostIndex = link.Index, Mac = link.Mac,
            }));
        }
        return plan;
    }

    /// <summary>
    /// Moves the planned devices into <paramref name="containerNetnsFd"/>; <paramref name="hostNetnsFd"/> is for the
    /// undo. <paramref name="moving"/> is told of each device before its move (to save it where `delete --force`
    /// finds it). On failure every moved device is back on the host and the first error is thrown.
    /// </summary>
    public static void Move(RtnlClient host, RtnlClient container, IReadOnlyList<(RtnlLink Link, MovedNetDevice Record)> plan,
        int containerNetnsFd, int hostNetnsFd, Action<MovedNetDevice>? moving = null)
    {
        var moved = new List<MovedNetDevice>();
        try
        {
            foreach (var (link, rec) in plan)
            {
                moving?.Invoke(rec);
                host.MoveLink(link, containerNetnsFd, rec.ContainerName, Into);
                moved.Add(rec);
                var inside = container.GetLink(rec.ContainerName)
                    ?? throw new RtnlException($"netdev: network device {rec.HostName} was moved but {rec.ContainerName} is not in {Into}", Errno.ENODEV);
                foreach (var a in rec.Addresses) container.AddAddress(RtnlAddress.Parse(a, inside.Index), rec.ContainerName);
                container.SetUp(inside, true);
            }
        }
        catch (RtnlException)
        {
            try { MoveBack(container, host, moved, hostNetnsFd); }
            catch (RtnlException) { /* the first failure says more; delete --force retries from the record */ }
            throw;
        }
    }

    /// <summary>
    /// Moves devices out of a netns that still exists (undo, or a netns the spec named by path) back to the
    /// host, under their host names, with their addresses and up state. Devices no longer there are skipped.
    /// </summary>
    public static void MoveBack(RtnlClient container, RtnlClient host, IReadOnlyList<MovedNetDevice> devices, int hostNetnsFd)
    {
        foreach (var rec in devices.Reverse())
        {
            if (container.GetLink(rec.ContainerName) is not { } inside) continue;
            if (rec.Created)
            {
                container.DeleteLink(inside); // made for the container: it has no host state to go back to
                continue;
            }
            container.MoveLink(inside, hostNetnsFd, rec.HostName, Back);
            Restore(host, rec, host.GetLink(rec.HostName));
        }
    }

    /// <summary>
    /// After the container's netns died: a physical device is back on the host under its container name (the
    /// kernel keeps the name, or picks "dev&lt;index&gt;" when it is taken); give it its host name, addresses and
    /// up state. It is found by its index and MAC, never by name: the container name may be a host device's
    /// name too (eth0). Returns what is not back yet: the caller waits and asks again. Virtual devices died with
    /// the netns and are not waited for.
    /// </summary>
    public static List<MovedNetDevice> RestoreReturned(RtnlClient host, IReadOnlyList<MovedNetDevice> devices)
    {
        var missing = new List<MovedNetDevice>();
        foreach (var rec in devices.Where(d => d.Kind is null && !d.Created))
        {
            var back = host.GetLinkByIndex(rec.HostIndex);
            if (back is null || back.Mac != rec.Mac)
            {
                missing.Add(rec);
                continue;
            }
            if (back.Name != rec.HostName)
            {
                host.Rename(back, rec.HostName);
                back = back with { Name = rec.HostName };
            }
            Restore(host, rec, back);
        }
        return missing;
    }

    static void Restore(RtnlClient host, MovedNetDevice rec, RtnlLink? link)
    {
        if (link is null)
            throw new RtnlException($"netdev: network device {rec.HostName} was moved back but is not in {Back}", Errno.ENODEV);
        var present = host.GetAddresses(link.Index).Select(a => a.ToString()).ToHashSet();
        foreach (var a in rec.Addresses.Where(a => !present.Contains(a))) host.AddAddress(RtnlAddress.Parse(a, link.Index), rec.HostName);
        if (rec.WasUp && !link.IsUp) host.SetUp(link, true);
    }
}
