using Rdmarun.Engine.Native;
using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Qos;
using Rdmarun.Rdma.Rtnl;
using Errno = Rdmarun.Rdma.Netlink.Errno;

namespace Rdmarun.Engine.Net;

/// <summary>A cap rdmarun put on a host netdev for a container in the host's network namespace.</summary>
public sealed class HostQdisc
{
    public string Device { get; set; } = "";
    /// <summary>The device's index when capped: a device of the same name made later is not ours to touch.</summary>
    public int Index { get; set; }
    /// <summary>The root qdisc's handle (major:0), the container's own (<see cref="HostNetdevCap.HandleFor"/>).</summary>
    public uint Handle { get; set; }
}

/// <summary>
/// org.rdmarun.rdma.rate for a container that shares the host's network namespace: a tbf root qdisc on the host
/// netdev of its granted RDMA device, when the policy lists that netdev in hostNetdevs (see
/// <see cref="HostNetdevCap"/>). Recorded before it is installed; removed on delete, on a failed create and by
/// delete --force; only the qdisc with the container's own handle is removed.
/// </summary>
public static class HostNetdevQos
{
    /// <summary>Before anything exists: the netdevs to cap; empty when the container has a network namespace of its own.</summary>
    public static IReadOnlyList<string> Check(Spec spec, string policyPath, RdmaQos qos, IReadOnlyList<string> grantedDevices, string sysRoot = "/")
    {
        if (!SharesHostNetns(spec)) return [];
        try
        {
            var asked = spec.Annotations?.ContainsKey(RdmaQos.RateAnnotation) == true;
            return HostNetdevCap.Plan(qos, asked, RdmaHostPolicy.Load(policyPath).Policy, grantedDevices, sysRoot);
        }
        catch (Exception e) when (e is RdmaQosException or RdmaPolicyException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }

    /// <summary>No network namespace in the spec: the container's traffic leaves from the host's own netdevs.</summary>
    public static bool SharesHostNetns(Spec spec) => !(spec.Linux?.Namespaces ?? []).Any(n => n.Type == "network");

    /// <summary>
    /// Installs the caps. <paramref name="save"/> gets the list (including the one about to be installed) before
    /// each install. On a failure the caps already installed are removed and the error says which device refused.
    /// </summary>
    public static List<HostQdisc>? Apply(IReadOnlyList<string> netdevs, RdmaQos qos, string id, Action<List<HostQdisc>> save)
    {
        if (netdevs.Count == 0 || qos.MaxRate is not { } bits) return null;
        var handle = HostNetdevCap.HandleFor(id);
        var (rate, burst, limit) = NetQos.Tbf(bits);
        var done = new List<HostQdisc>();
        try
        {
            using var socket = RouteNetlinkSocket.Open();
            var host = new RtnlClient(socket);
            foreach (var name in netdevs)
            {
                var link = host.GetLink(name)
                    ?? throw new RtnlException($"annotation {RdmaQos.RateAnnotation}: network device {name} is not in the host network namespace", Errno.ENODEV);
                var q = new HostQdisc { Device = name, Index = link.Index, Handle = handle };
                done.Add(q);
                save(done); // before it exists: delete --force after a kill here looks for it
                try { host.AddTbf(link, handle, rate, burst, limit); }
                catch (RtnlException e) when (e.Errno == Errno.EEXIST)
                {
                    done.Remove(q); // not ours: never removed by our undo
                    save(done);
                    throw new RtnlException(
                        $"annotation {RdmaQos.RateAnnotation}: network device {name} already has a root qdisc (another container's cap or the administrator's): rdmarun does not replace it",
                        Errno.EEXIST);
                }
            }
            return done;
        }
        catch (Exception e) when (e is RtnlException or SyscallException)
        {
            try { Remove(done); } catch (RuntimeError) { /* the first failure says more */ }
            throw new RuntimeError(e.Message, e);
        }
    }

    /// <summary>
    /// Delete, a failed create, delete --force: removes each cap that is still there. Gone already (the device
    /// deleted, or the qdisc: ENOENT) or replaced by someone else's (another handle: EINVAL) is fine.
    /// </summary>
    public static void Remove(IReadOnlyList<HostQdisc>? qdiscs)
    {
        if (qdiscs is not { Count: > 0 }) return;
        try
        {
            using var socket = RouteNetlinkSocket.Open();
            var host = new RtnlClient(socket);
            foreach (var q in qdiscs)
            {
                if (host.GetLinkByIndex(q.Index) is not { } link || link.Name != q.Device) continue;
                try { host.DeleteRootQdisc(link, q.Handle); }
                catch (RtnlException e) when (e.Errno is Errno.ENOENT or Errno.EINVAL) { }
            }
        }
        catch (Exception e) when (e is RtnlException or SyscallException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }
}
