namespace Rdmarun.Rdma.Qos;

/// <summary>
/// What a container's RDMA traffic is held to: a maximum transmit rate (bit/s) and, on SR-IOV VFs, an
/// 802.1Q VLAN with a priority (PCP). Null members: nothing asked.
/// </summary>
public sealed record RdmaQos(ulong? MaxRate, ushort? Vlan, byte? Priority, ulong? MinRate = null)
{
    public const string RateAnnotation = "org.rdmarun.rdma.rate";
    /// <summary>A guaranteed minimum: only a VF's NIC can give one (IFLA_VF_RATE min_tx_rate).</summary>
    public const string MinRateAnnotation = "org.rdmarun.rdma.minrate";
    public const string VlanAnnotation = "org.rdmarun.rdma.vlan";
    public const string SlAnnotation = "org.rdmarun.rdma.sl";

    public bool IsEmpty => MaxRate is null && Vlan is null && MinRate is null;

    /// <summary>
    /// Reads the annotations against the policy: a rate above the policy's maxRate, a VLAN outside its list
    /// and any InfiniBand service level are refused; without a requested rate the policy's defaultRate applies.
    /// </summary>
    public static RdmaQos Parse(IReadOnlyDictionary<string, string>? annotations, RdmaPolicy policy)
    {
        annotations ??= new Dictionary<string, string>();
        if (annotations.TryGetValue(SlAnnotation, out var sl))
            throw new RdmaQosException(
                $"annotation {SlAnnotation}={sl}: an InfiniBand service level cannot be set for a container: the SL of a " +
                "connection comes from the subnet manager's path record (rdma_cm) or the application's address handle, and " +
                "nothing on this host can enforce it; ask the fabric administrator for a QoS policy in the subnet manager " +
                "(OpenSM qos-policy.conf) keyed on the container's P_Key");

        ulong? rate = null;
        if (annotations.TryGetValue(RateAnnotation, out var r))
        {
            if (!Rate.TryParse(r, out var bits))
                throw new RdmaQosException($"annotation {RateAnnotation}: \"{r}\" is not a rate (e.g. 100mbit, 2.5gbit, 800kbit)");
            rate = bits;
        }
        rate ??= policy.DefaultRate;
        if (rate is { } want && policy.MaxRate is { } max && want > max)
            throw new RdmaQosException($"annotation {RateAnnotation}: {Rate.Format(want)} is above the policy's maxRate {Rate.Format(max)} ({policy.Source})");

        ulong? min = null;
        if (annotations.TryGetValue(MinRateAnnotation, out var m))
        {
            if (!Rate.TryParse(m, out var bits))
                throw new RdmaQosException($"annotation {MinRateAnnotation}: \"{m}\" is not a rate (e.g. 100mbit, 2.5gbit, 800kbit)");
            if (rate is { } cap && bits > cap)
                throw new RdmaQosException($"annotation {MinRateAnnotation}: {Rate.Format(bits)} is above the container's maximum rate {Rate.Format(cap)}");
            if (policy.MaxRate is { } pmax && bits > pmax)
                throw new RdmaQosException($"annotation {MinRateAnnotation}: {Rate.Format(bits)} is above the policy's maxRate {Rate.Format(pmax)} ({policy.Source})");
            min = bits;
        }

        ushort? vlan = null;
        byte? pcp = null;
        if (annotations.TryGetValue(VlanAnnotation, out var v))
        {
            var parts = v.Split(':');
            if (parts.Length > 2 || !ushort.TryParse(parts[0], out var id) || id is 0 or > 4094)
                throw new RdmaQosException($"annotation {VlanAnnotation}: \"{v}\" is not VLAN[:PRIORITY] with a VLAN id 1-4094 (e.g. 100 or 100:5)");
            byte prio = 0;
            if (parts.Length == 2 && (!byte.TryParse(parts[1], out prio) || prio > 7))
                throw new RdmaQosException($"annotation {VlanAnnotation}: priority \"{parts[1]}\" is not 0-7 (802.1p PCP)");
            if (policy.Vlans is { } allowed && !allowed.Contains(id))
                throw new RdmaQosException($"annotation {VlanAnnotation}: VLAN {id} is not in the policy's vlans [{string.Join(", ", allowed)}] ({policy.Source})");
            if (policy.MaxPriority is { } maxPrio && prio > maxPrio)
                throw new RdmaQosException($"annotation {VlanAnnotation}: priority {prio} is above the policy's maxPriority {maxPrio} ({policy.Source})");
            (vlan, pcp) = (id, prio);
        }
        return new RdmaQos(rate, vlan, pcp, min);
    }
}

public sealed class RdmaQosException(string message) : Exception(message);
