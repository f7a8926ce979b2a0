using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Qos;
using Rdmarun.Rdma.Rtnl;

namespace Rdmarun.Engine.Net;

/// <summary>
/// RDMA QoS on the container's RoCE netdev (the devices given with linux.netDevices). An SR-IOV VF is limited
/// by the NIC, through its PF (IFLA_VF_RATE, IFLA_VF_VLAN_LIST), for all its traffic, RDMA included; any other
/// netdev (a VLAN or macvlan on the port, a soft-RoCE netdev) gets a token-bucket root qdisc, which holds the
/// kernel's own sends — for soft-RoCE that is all RDMA traffic, for a hardware RoCE NIC it is only the IP
/// traffic (the NIC sends RDMA without the qdisc: use VFs there). A container in the host's network namespace has
/// none of these: <see cref="HostNetdevQos"/> caps its RDMA device's host netdev instead, where the policy allows.
/// </summary>
public static class NetQos
{
    /// <summary>Before anything exists: the request under the policy; an explicit request without netDevices is refused.</summary>
    public static RdmaQos Check(Spec spec, string policyPath)
    {
        try
        {
            var a = spec.Annotations;
            var policy = RdmaHostPolicy.Load(policyPath).Policy;
            var qos = RdmaQos.Parse(a, policy);
            var asked = a is not null && (a.ContainsKey(RdmaQos.RateAnnotation) || a.ContainsKey(RdmaQos.VlanAnnotation) || a.ContainsKey(RdmaQos.MinRateAnnotation));
            // A container in the host's netns: HostNetdevQos decides (a cap on its RDMA device's host netdev, or a refusal).
            if (asked && !HostNetdevQos.SharesHostNetns(spec) && spec.Linux?.NetDevices is not { Count: > 0 } && a!.ContainsKey(Rdmarun.Rdma.Roce.RoceChildRequest.KindAnnotation) != true)
                throw new RuntimeError(
                    $"annotation {(a!.ContainsKey(RdmaQos.RateAnnotation) ? RdmaQos.RateAnnotation : RdmaQos.VlanAnnotation)}: rdmarun enforces RDMA QoS on the container's RoCE netdev, and the spec gives it none: name it in linux.netDevices or ask for one with {Rdmarun.Rdma.Roce.RoceChildRequest.KindAnnotation}");
            return qos;
        }
        catch (Exception e) when (e is RdmaQosException or RdmaPolicyException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }

    /// <summary>Before the move (the host's sysfs still shows the device): which devices are VFs; VLAN needs one.</summary>
    public static void Plan(RdmaQos qos, IEnumerable<MovedNetDevice> devices, string sysRoot = "/sys")
    {
        if (qos.IsEmpty) return;
        foreach (var d in devices)
        {
            if (d.Created && qos.Vlan is { } v)
                throw new RtnlException($"annotation {RdmaQos.VlanAnnotation}: the container's {d.Kind} device is not an SR-IOV VF: ask for a tagged child with {Rdmarun.Rdma.Roce.RoceChildRequest.KindAnnotation}=vlan:{v} instead", Rdmarun.Rdma.Netlink.Errno.EINVAL);
            if (d.Created && qos.MinRate is not null)
                throw new RtnlException($"annotation {RdmaQos.MinRateAnnotation}: the container's {d.Kind} device is not an SR-IOV VF: a guaranteed minimum rate is given by a VF's NIC (min_tx_rate); a qdisc can only cap", Rdmarun.Rdma.Netlink.Errno.EINVAL);
            if (d.Created) continue; // made in the container: a tbf on it, never a VF setting
            if (SriovVfLocator.Find(d.HostName, sysRoot) is { } vf) (d.Pf, d.Vf) = (vf.PfNetdev, vf.VfIndex);
            else if (qos.MinRate is not null)
                throw new RtnlException(
                    $"annotation {RdmaQos.MinRateAnnotation}: network device {d.HostName} is not an SR-IOV VF: a guaranteed minimum rate is given by a VF's NIC (min_tx_rate); a qdisc on another device can only cap",
                    Rdmarun.Rdma.Netlink.Errno.EINVAL);
            else if (qos.Vlan is { } vlan)
                throw new RtnlException(
                    $"annotation {RdmaQos.VlanAnnotation}: network device {d.HostName} is not an SR-IOV VF: a VLAN with a priority is set by a VF's PF; " +
                    $"for another device give the container a VLAN device instead (ip link add link {d.HostName} name {d.HostName}.{vlan} type vlan id {vlan} egress-qos-map 0:{qos.Priority ?? 0})",
                    Rdmarun.Rdma.Netlink.Errno.EINVAL);
        }
    }

    /// <summary>After the devices are in the container and up.</summary>
    public static void Apply(RdmaQos qos, RtnlClient host, RtnlClient container, IEnumerable<MovedNetDevice> devices)
    {
        if (qos.IsEmpty) return;
        foreach (var d in devices)
        {
            if (d.Pf is { } pfName && d.Vf is { } vf)
            {
                var pf = host.GetLink(pfName) ?? throw new RtnlException($"netdev: the PF {pfName} of {d.HostName} is not in the host network namespace", Rdmarun.Rdma.Netlink.Errno.ENODEV);
                if (qos.MaxRate is not null || qos.MinRate is not null)
                {
                    d.VfRateSet = true; // before: a request that fails half-way may still have changed it
                    host.SetVfRate(pf, vf, Mbps(qos.MinRate), Mbps(qos.MaxRate));
                }
                if (qos.Vlan is { } vlan)
                {
                    d.VfVlanSet = true;
                    host.SetVfVlan(pf, vf, vlan, qos.Priority ?? 0);
                }
            }
            else if (qos.MaxRate is { } bits)
            {
                var link = container.GetLink(d.ContainerName) ?? throw new RtnlException($"netdev: {d.ContainerName} is not in the container's network namespace", Rdmarun.Rdma.Netlink.Errno.ENODEV);
                var (bytes, burst, limit) = Tbf(bits);
                container.SetTbf(link, bytes, burst, limit);
            }
        }
    }

    /// <summary>A cap of <paramref name="bits"/>/s as tbf parameters: bytes/s; burst 10 ms at the rate, at least 16 KiB (a few full-size frames); queue another 50 ms.</summary>
    public static (ulong Bytes, uint Burst, uint Limit) Tbf(ulong bits)
    {
        var bytes = bits / 8;
        var burst = (uint)Math.Clamp(bytes / 100, 16 * 1024, uint.MaxValue / 2);
        var limit = (uint)Math.Clamp(burst + bytes / 20, burst, uint.MaxValue);
        return (bytes, burst, limit);
    }

    /// <summary>VF rates are whole Mbit/s; round up, since 0 would mean none. Null: 0.</summary>
    static uint Mbps(ulong? bits) => bits is { } b ? (uint)Math.Min((b + 999_999) / 1_000_000, uint.MaxValue) : 0;

    /// <summary>A VF's PF keeps its settings after the container: put what rdmarun set back to none.</summary>
    public static void Reset(RtnlClient host, IEnumerable<MovedNetDevice> devices)
    {
        foreach (var d in devices)
        {
            if (d.Pf is not { } pfName || d.Vf is not { } vf || host.GetLink(pfName) is not { } pf) continue;
            if (d.VfRateSet) host.SetVfRate(pf, vf, 0, 0);
            if (d.VfVlanSet) host.SetVfVlan(pf, vf, 0, 0);
        }
    }
}
