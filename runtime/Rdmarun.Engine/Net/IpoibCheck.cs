using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;
using Rdmarun.Rdma.Ipoib;

namespace Rdmarun.Engine.Net;

/// <summary>
/// org.rdmarun.rdma.ipoib=true, checked before anything exists: the container needs a network namespace of its
/// own (a child made in the runtime's namespace would be every container's), and each granted InfiniBand port
/// an allowance and an IPoIB netdev. Not asked: no children, whatever the netns.
/// </summary>
public static class IpoibCheck
{
    public static IReadOnlyList<IpoibChild>? Check(Spec spec, RdmaSpecGrant.Outcome rdma, string sysRoot = "/")
    {
        try
        {
            if (!IpoibChildren.Asked(spec.Annotations)) return null;
            if (!(spec.Linux?.Namespaces ?? []).Any(n => n.Type == "network"))
                throw new RuntimeError($"annotation {IpoibChildren.Annotation}: the container has no network namespace of its own to put IPoIB devices in (add a network namespace to linux.namespaces, or drop the annotation)");
            var children = IpoibChildren.Plan(rdma.Granted.Select(g => (g.Device, g.Pkeys)), sysRoot);
            foreach (var c in children)
                if (spec.Linux?.NetDevices?.ContainsKey(c.Name) == true || spec.Linux?.NetDevices?.Values.Any(v => v.Name == c.Name) == true)
                    throw new RuntimeError($"annotation {IpoibChildren.Annotation}: {c.Name} is also a name in linux.netDevices");
            return children;
        }
        catch (IpoibException e)
        {
            throw new RuntimeError(e.Message, e);
        }
    }
}
