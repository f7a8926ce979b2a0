using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Accounting;

/// <summary>A container's QPs on one port and the summed values of the counters that hold only those QPs (null when unavailable).</summary>
public sealed record PortTraffic(uint Port, int Qps, IReadOnlyDictionary<string, ulong>? Counters);

/// <summary>Per port; <paramref name="Unavailable"/> says why there are no counter values ("counters not supported by rxe").</summary>
public sealed record DeviceTraffic(IReadOnlyList<PortTraffic> Ports, string? Unavailable);

/// <summary>
/// Per-container RDMA traffic: the device's QPs whose owner is one of the container's tasks, bound to QP counters,
/// and the counters' values.
///
/// Why manual binding at stats time rather than auto mode set at create: auto mode is one switch per port for
/// every user of it (other containers, the host); the kernel refuses to change it (EBUSY) while any counter is
/// bound, and refuses manual binds (EINVAL) while it is on; its "type" criterion puts QPs of different
/// containers in one counter, its "pid" criterion one counter per process. Restoring a previous mode at delete
/// would race with every other container on the port. A manual bind touches only the container's own QPs; the
/// kernel frees the counter with its last QP and then puts the port back to mode none by itself, so delete has
/// nothing to undo. The cost: a counter counts from its bind, so traffic a QP carried before the first stats
/// request that saw it is not included. When an administrator has set auto mode on a port, nothing is bound and
/// the auto counters holding only the container's QPs are reported.
/// </summary>
public static class ContainerQpCounters
{
    /// <param name="tasks">The container's thread ids as the netlink socket's pid namespace sees them (the kernel
    /// records the creating thread of a QP, not always the process leader).</param>
    public static DeviceTraffic Collect(NldevClient nl, uint deviceIndex, string driver, IReadOnlySet<uint> tasks)
    {
        // A QP reports its port once it reached INIT; before that it cannot be bound and carries no traffic.
        var qps = nl.GetQps(deviceIndex).Where(q => q.Pid is { } p && tasks.Contains(p) && q.Port is > 0).ToList();
        if (qps.Count == 0) return new DeviceTraffic([], null);
        var ours = qps.Select(q => q.Lqpn).ToHashSet();
        var counters = nl.GetCounters(deviceIndex);

        string? unavailable = null;
        var boundAny = false;
        foreach (var group in qps.GroupBy(q => q.Port!.Value))
        {
            var port = group.Key;
            var bound = counters.Where(c => c.Port == port).SelectMany(c => c.Qpns).ToHashSet();
            var unbound = group.Where(q => !bound.Contains(q.Lqpn)).ToList();
            if (unbound.Count == 0 || nl.GetCounterMode(deviceIndex, port) == RdmaCounterMode.Auto) continue;
            // One counter per container and port: reuse one that holds only the container's QPs.
            uint? target = counters.FirstOrDefault(c => c.Port == port && c.Mode == RdmaCounterMode.Manual && IsOurs(c, ours))?.Id;
            foreach (var qp in unbound)
            {
                try
                {
                    target = Bind(nl, deviceIndex, port, qp.Lqpn, target);
                    if (target is not null) boundAny = true;
                }
                catch (RdmaNetlinkException e)
                {
                    unavailable = Why(e, driver);
                    break;
                }
            }
            if (unavailable is not null) break;
        }

        if (boundAny) counters = nl.GetCounters(deviceIndex);
        var ports = qps.GroupBy(q => q.Port!.Value).OrderBy(g => g.Key).Select(g => new PortTraffic(g.Key, g.Count(),
            unavailable is not null ? null : Sum(counters.Where(c => c.Port == g.Key && IsOurs(c, ours))))).ToList();
        return new DeviceTraffic(ports, unavailable);
    }

    /// <summary>Binds, or returns the unchanged target when the QP is gone; a vanished target counter (its last QP ended) gets a new one.</summary>
    static uint? Bind(NldevClient nl, uint deviceIndex, uint port, uint lqpn, uint? target)
    {
        try
        {
            return nl.BindQp(deviceIndex, port, lqpn, target);
        }
        catch (RdmaNetlinkException e) when (e.Errno == Errno.ENOENT && target is not null)
        {
            try { return nl.BindQp(deviceIndex, port, lqpn); }
            catch (RdmaNetlinkException again) when (again.Errno == Errno.ENOENT) { return target; }
        }
        catch (RdmaNetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            return target; // the QP was destroyed since the dump
        }
    }

    /// <summary>
    /// A driver without QP counter support (no counter_alloc_stats/counter_dealloc, rxe among them) makes the
    /// kernel's alloc_and_bind() fail, which it reports as ENOMEM; one without counter_bind_qp or port statistics
    /// answers EOPNOTSUPP.
    /// </summary>
    static string Why(RdmaNetlinkException e, string driver) => e.Errno is Errno.ENOMEM or Errno.EOPNOTSUPP
        ? $"counters not supported by {driver}"
        : $"counters unavailable: {e.Message}";

    static bool IsOurs(NldevCounter c, HashSet<uint> ours) => c.Qpns.Count > 0 && c.Qpns.All(ours.Contains);

    static Dictionary<string, ulong> Sum(IEnumerable<NldevCounter> counters)
    {
        var sum = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var c in counters)
            foreach (var (name, value) in c.Values)
                sum[name] = sum.GetValueOrDefault(name) + value;
        return sum;
    }
}
