using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Roce;

namespace Rdmarun.Engine.Net;

/// <summary>
/// The RoCE grant convenience: org.rdmarun.rdma.netdev asks for a macvlan/ipvlan/VLAN child of the granted RDMA
/// device's netdev (or of a policy-listed host netdev), made in the container's network namespace.
/// </summary>
public static class NetChild
{
    /// <summary>Before anything exists: the request under the policy, its parent resolved; null when none is asked.</summary>
    public static (RoceChildRequest Request, string Link)? Check(Spec spec, string policyPath, IReadOnlyList<string> grantedDevices, string sysRoot = "/")
    {
        try
        {
            var request = RoceChildRequest.Parse(spec.Annotations, RdmaHostPolicy.Load(policyPath).Policy);
            if (request is null) return null;
            if (!(spec.Linux?.Namespaces ?? []).Any(n => n.Type == "network"))
                throw new RuntimeError($"annotation {RoceChildRequest.KindAnnotation}: the container has no network namespace of its own to put the {request.Kind} device in");
            if (spec.Linux?.NetDevices?.ContainsKey(request.Name) == true || spec.Linux?.NetDevices?.Values.Any(v => v.Name == request.Name) == true)
                throw new RuntimeError($"annotation {RoceChildRequest.NameAnnotation}: {request.Name} is also a name in linux.netDevices");
            return (request, request.ResolveLink(grantedDevices, sysRoot));
        }
        catch (Exception e) when (e is RoceChildException or RdmaPolicyException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }
}
