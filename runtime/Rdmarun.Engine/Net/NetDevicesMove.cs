using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.OciSpec;
using Rdmarun.Rdma.Ipoib;
using Rdmarun.Rdma.Qos;
using Rdmarun.Rdma.Rtnl;

namespace Rdmarun.Engine.Net;

/// <summary>
/// linux.netDevices (runtime-spec 1.3): once the container's network namespace exists, each named host device
/// moves in under its new name with its addresses and comes up. On a failure, or when create fails later,
/// the moved devices go back to the host as they were. On delete a physical device is back on the host when
/// the namespace dies (the kernel's rule; virtual ones die with it): delete waits for it and restores its
/// name and addresses. A namespace the spec named by path outlives the container: delete moves them out.
/// </summary>
public sealed class NetDevicesMove
{
    /// <summary>How long delete waits for the kernel to hand a physical device back after the netns died.</summary>
    public static TimeSpan ReturnTimeout { get; set; } = TimeSpan.FromSeconds(10);

    readonly int _netnsFd;
    public List<MovedNetDevice> Moved { get; }

    NetDevicesMove(int netnsFd, List<MovedNetDevice> moved) { _netnsFd = netnsFd; Moved = moved; }

    /// <summary>
    /// Moves the spec's devices into the netns of <paramref name="initPid"/>. <paramref name="save"/> gets the list
    /// of devices (including the one about to move) before each move. Null when the spec names none.
    /// </summary>
    public static NetDevicesMove? IntoContainer(Spec spec, int initPid, RdmaQos qos, Action<List<MovedNetDevice>> save,
        (Rdmarun.Rdma.Roce.RoceChildRequest Request, string Link)? child = null, IReadOnlyList<IpoibChild>? ipoib = null)
    {
        var devs = spec.Linux?.NetDevices ?? [];
        if (devs.Count == 0 && child is null && ipoib is not { Count: > 0 }) return null;
        var nsPath = $"/proc/{initPid}/ns/net";
        // The spec validator already refused a spec without a network namespace; a joined path may still be ours.
        if (new FileInfo(nsPath).LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget)
            throw new RuntimeError($"{(devs.Count > 0 ? "linux.netDevices" : "annotation " + (child is not null ? Rdmarun.Rdma.Roce.RoceChildRequest.KindAnnotation : IpoibChildren.Annotation))}: the container's network namespace is the runtime's own: nothing can be moved into it");
        var requests = devs.Select(kv => new NetDeviceRequest(kv.Key, kv.Value.Name is { Length: > 0 } n ? n : kv.Key)).ToList();

        int fd = -1, hostFd = -1;
        var saved = new List<MovedNetDevice>();
        try
        {
            fd = SyscallException.Check(Libc.open(nsPath, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), $"open {nsPath}");
            hostFd = SyscallException.Check(Libc.open("/proc/self/ns/net", LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), "open /proc/self/ns/net");
            using var hostSocket = RtnlSockets.Open();
            using var ctrSocket = RtnlSockets.OpenInNetns(fd);
            var host = new RtnlClient(hostSocket);
            var ctr = new RtnlClient(ctrSocket);
            var plan = NetDeviceMover.Plan(host, ctr, requests);
            var childPlan = child is { } c ? ChildNetdev.Plan(host, ctr, c.Request, c.Link) : default((RtnlLink, MovedNetDevice)?);
            var ipoibPlan = ipoib is { Count: > 0 } ? IpoibChildNetdev.Plan(host, ctr, ipoib) : [];
            NetQos.Plan(qos, plan.Select(p => p.Record).Concat(childPlan is { } x ? [x.Item2] : []));
            NetDeviceMover.Move(host, ctr, plan, fd, hostFd, rec => { saved.Add(rec); save(saved); });
            if (child is { } ch && childPlan is { } cp)
            {
                saved.Add(cp.Item2);
                save(saved); // before it exists: delete --force after a kill here knows to look for it
                try { ChildNetdev.Create(host, ctr, cp.Item1, ch.Request, cp.Item2, fd); }
                catch (RtnlException)
                {
                    try { NetDeviceMover.MoveBack(ctr, host, saved, hostFd); }
                    catch (RtnlException) { /* the first failure says more */ }
                    throw;
                }
                save(saved); // now with its index and MAC
            }
            if (ipoibPlan.Count > 0)
            {
                // Each saved before it exists; on a failure the children made so far are gone (Create deleted them).
                try { IpoibChildNetdev.Create(host, ctr, ipoibPlan, fd, rec => { saved.Add(rec); save(saved); }); }
                catch (RtnlException)
                {
                    try { NetDeviceMover.MoveBack(ctr, host, saved, hostFd); }
                    catch (RtnlException) { /* the first failure says more */ }
                    throw;
                }
                save(saved); // now with their indices
                FaultPoint.Hit("create.after-ipoib");
            }
            try
            {
                NetQos.Apply(qos, host, ctr, saved.Where(d => d.Kind != "ipoib")); // QoS is for the RoCE netdev
                save(saved); // now saying what was set on a VF
            }
            catch (RtnlException)
            {
                try { NetQos.Reset(host, saved); NetDeviceMover.MoveBack(ctr, host, saved, hostFd); }
                catch (RtnlException) { /* the first failure says more */ }
                throw;
            }
            FaultPoint.Hit("create.after-netdev-move");
            return new NetDevicesMove(fd, saved);
        }
        catch (Exception e) when (e is RtnlException or SyscallException)
        {
            if (fd >= 0) Libc.close(fd);
            throw new RuntimeError(e.Message, e);
        }
        finally
        {
            if (hostFd >= 0) Libc.close(hostFd);
        }
    }

    /// <summary>
    /// Create succeeded: close the netns fd. Held open, it keeps the namespace alive after the container's last
    /// process, so `run` (whose delete runs in this process) would wait in vain for a physical device to return.
    /// </summary>
    public void Keep() => Libc.close(_netnsFd);

    /// <summary>Create failed after the move: hand the devices back while the container's netns still exists.</summary>
    public void Release()
    {
        try { MoveOut(_netnsFd, Moved); }
        finally { Libc.close(_netnsFd); }
    }

    /// <summary>Delete (and delete --force after a killed create): the container's processes are gone.</summary>
    public static void ReturnOnDelete(ContainerRecord r)
    {
        if (r.NetDevices is not { Count: > 0 } moved) return;
        try
        {
            if (r.NamespacePaths?.GetValueOrDefault("network") is { } path && !path.StartsWith("/proc/", StringComparison.Ordinal)
                && Libc.open(path, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0) is var fd and >= 0)
            {
                try { MoveOut(fd, moved); }
                finally { Libc.close(fd); }
                return;
            }
            WaitReturned(moved);
        }
        catch (Exception e) when (e is RtnlException or SyscallException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }

    static void MoveOut(int netnsFd, IReadOnlyList<MovedNetDevice> moved)
    {
        int hostFd = SyscallException.Check(Libc.open("/proc/self/ns/net", LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), "open /proc/self/ns/net");
        try
        {
            using var hostSocket = RtnlSockets.Open();
            using var ctrSocket = RtnlSockets.OpenInNetns(netnsFd);
            var host = new RtnlClient(hostSocket);
            NetQos.Reset(host, moved);
            NetDeviceMover.MoveBack(new RtnlClient(ctrSocket), host, moved, hostFd);
        }
        finally
        {
            Libc.close(hostFd);
        }
    }

    /// <summary>The kernel returns a dead netns's physical devices asynchronously (cleanup_net): poll.</summary>
    static void WaitReturned(IReadOnlyList<MovedNetDevice> moved)
    {
        var deadline = DateTime.UtcNow + ReturnTimeout;
        using var socket = RtnlSockets.Open();
        var host = new RtnlClient(socket);
        NetQos.Reset(host, moved);
        var missing = NetDeviceMover.RestoreReturned(host, moved);
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            missing = NetDeviceMover.RestoreReturned(host, missing);
        }
        if (missing.Count > 0)
            throw new RuntimeError(
                $"netdev: network device{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => m.HostName))} did not return to the host network namespace within {ReturnTimeout.TotalSeconds:0} s (a process or mount still holds the container's network namespace)");
    }
}
