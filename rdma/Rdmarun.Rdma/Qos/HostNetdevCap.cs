namespace Rdmarun.Rdma.Qos;

/// <summary>
/// A rate cap for a container that shares the host's network namespace (RDMA shared mode, as MPI and Slurm
/// jobs run): it has no netdev of its own to cap, but the RDMA device it is granted has one on the host. A
/// token-bucket qdisc there holds every packet that device's soft-RoCE driver sends, and every other sender's
/// on that netdev too, so it is done only for netdevs the policy lists in hostNetdevs (the administrator's
/// statement that the device and its netdev belong to one container at a time).
/// </summary>
public static class HostNetdevCap
{
    /// <summary>
    /// The host netdevs to cap, in the order of the granted devices; empty when there is nothing to do. An
    /// explicit rate that cannot be honoured is refused; the policy's defaultRate applies only where it can.
    /// </summary>
    public static IReadOnlyList<string> Plan(RdmaQos qos, bool rateAsked, RdmaPolicy policy, IReadOnlyList<string> grantedDevices, string sysRoot = "/")
    {
        if (qos.Vlan is not null)
            throw new RdmaQosException($"annotation {RdmaQos.VlanAnnotation}: the container shares the host's network namespace: a VLAN with a priority is set on an SR-IOV VF given to a container with a network namespace of its own (linux.netDevices)");
        if (qos.MinRate is not null)
            throw new RdmaQosException($"annotation {RdmaQos.MinRateAnnotation}: the container shares the host's network namespace: a guaranteed minimum rate is set on an SR-IOV VF given to a container with a network namespace of its own (linux.netDevices)");
        if (qos.MaxRate is null) return [];
        var allowed = policy.HostNetdevs ?? [];
        if (grantedDevices.Count == 0)
            return rateAsked
                ? throw new RdmaQosException($"annotation {RdmaQos.RateAnnotation}: the container shares the host's network namespace and is granted no RDMA device: there is no netdev of its own to cap")
                : [];
        var netdevs = new List<string>();
        foreach (var dev in grantedDevices)
        {
            var path = Path.Combine(sysRoot, "sys/class/infiniband", dev, "ports/1/gid_attrs/ndevs/0");
            string? ndev = null;
            try { ndev = File.ReadAllText(path).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* InfiniBand: no netdev */ }
            if (string.IsNullOrEmpty(ndev))
            {
                if (!rateAsked) continue;
                throw new RdmaQosException($"annotation {RdmaQos.RateAnnotation}: RDMA device {dev} has no netdev ({path} unreadable: InfiniBand): nothing on this host can cap an InfiniBand port's RDMA traffic");
            }
            if (!allowed.Contains(ndev))
            {
                if (!rateAsked) continue;
                throw new RdmaQosException(
                    $"annotation {RdmaQos.RateAnnotation}: the container shares the host's network namespace, and the netdev {ndev} of its RDMA device {dev} is not in the policy's hostNetdevs " +
                    $"[{string.Join(", ", allowed)}] ({policy.Source}): a cap there would hold every user of {ndev}; give the container a network namespace and a netdev of its own, or list {ndev} if {dev} is this container's alone");
            }
            if (!netdevs.Contains(ndev)) netdevs.Add(ndev);
        }
        return netdevs;
    }

    /// <summary>
    /// The root qdisc handle (major:0) rdmarun gives the cap of container <paramref name="id"/>: a major of its own
    /// per container (FNV-1a of the id, in 0x1000-0x7fff, below the kernel's automatic 0x8000+), so that delete
    /// removes this container's qdisc and never one installed after it.
    /// </summary>
    public static uint HandleFor(string id)
    {
        uint h = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(id)) h = (h ^ b) * 16777619;
        return (0x1000 + h % 0x7000) << 16;
    }
}
