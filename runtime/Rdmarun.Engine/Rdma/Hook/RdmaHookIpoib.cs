using Rdmarun.Engine.Native;
using Rdmarun.Engine.Net;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Ipoib;
using Rdmarun.Rdma.Rtnl;

namespace Rdmarun.Engine.Rdma.Hook;

/// <summary>
/// The RDMA hook's IPoIB children (org.rdmarun.rdma.ipoib=true in config.json): createRuntime makes one per
/// allowed P_Key (org.rdmarun.rdma.pkeys / RDMA_PKEYS under the policy, as rdmarun's planner allows them) on each
/// granted InfiniBand port, in the container's netns; poststop deletes them from a netns the spec named by path
/// (one of the container's own dies with them). The record &lt;RecordDir&gt;/&lt;id&gt;.ipoib (netns path, then the
/// names) is written before the first one exists and removed when they are gone.
/// </summary>
public static class RdmaHookIpoib
{
    public static void Create(State state, Spec spec, RdmaHookGrant grant, RdmaInventory inventory, string recordPath, string policyPath, string sysRoot)
    {
        IReadOnlyList<IpoibChild> children;
        try
        {
            if (!IpoibChildren.Asked(spec.Annotations)) return;
            if (!(spec.Linux?.Namespaces ?? []).Any(n => n.Type == "network"))
                throw new RuntimeError($"rdma hook: annotation {IpoibChildren.Annotation}: the container has no network namespace of its own to put IPoIB devices in");
            var request = RdmaRequestParser.Parse(null, spec.Annotations, spec.Process?.Env);
            var policy = RdmaHostPolicy.Load(policyPath).Policy;
            var granted = grant.Devices.Select(n => inventory.Find(n)!).Select(d => (d, RdmaPlanner.AllowedPkeys(request, policy, d))).ToList();
            children = IpoibChildren.Plan(granted, sysRoot);
        }
        catch (Exception e) when (e is IpoibException or RdmaRefusalException or RdmaRequestException or RdmaPolicyException)
        {
            throw new RuntimeError("rdma hook: " + e.Message, e);
        }
        if (state.Pid <= 0) throw new RuntimeError($"rdma hook: container {state.ID}: the state on stdin has no pid");
        var nsPath = $"/proc/{state.Pid}/ns/net";
        if (new FileInfo(nsPath).LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget)
            throw new RuntimeError($"rdma hook: annotation {IpoibChildren.Annotation}: the container's network namespace is the runtime's own (is the hook listed under createRuntime?)");

        int fd = SyscallException.Check(Libc.open(nsPath, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), $"open {nsPath}");
        var recorded = false;
        try
        {
            using var ctrSocket = RtnlSockets.OpenInNetns(fd);
            using var hostSocket = RtnlSockets.Open();
            var (host, ctr) = (new RtnlClient(hostSocket), new RtnlClient(ctrSocket));
            var plan = IpoibChildNetdev.Plan(host, ctr, children);
            Directory.CreateDirectory(Path.GetDirectoryName(recordPath)!);
            File.WriteAllLines(recordPath, [NetnsPath(spec) ?? "", .. children.Select(c => c.Name)]);
            recorded = true;
            IpoibChildNetdev.Create(host, ctr, plan, fd); // deletes what it made when it fails
        }
        catch (Exception e) when (e is RtnlException or SyscallException)
        {
            if (recorded) File.Delete(recordPath);
            throw new RuntimeError("rdma hook: " + e.Message, e);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>Poststop: deletes the recorded children from a netns named by path; a netns of the container's own took them with it.</summary>
    public static void Remove(string recordPath)
    {
        string[] lines;
        try { lines = File.ReadAllLines(recordPath); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return; }
        var path = lines.Length > 0 && lines[0].Length > 0 ? lines[0] : null;
        if (path is not null && !path.StartsWith("/proc/", StringComparison.Ordinal)
            && Libc.open(path, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0) is var fd and >= 0)
        {
            try
            {
                using var socket = RtnlSockets.OpenInNetns(fd);
                var ctr = new RtnlClient(socket);
                foreach (var name in lines.Skip(1).Where(n => n.Length > 0).Reverse())
                    if (ctr.GetLink(name) is { } link) ctr.DeleteLink(link);
            }
            catch (RtnlException e)
            {
                throw new RuntimeError("rdma hook: " + e.Message, e);
            }
            finally
            {
                Libc.close(fd);
            }
        }
        File.Delete(recordPath);
    }

    static string? NetnsPath(Spec spec)
        => spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "network")?.Path is { Length: > 0 } p ? p : null;
}
