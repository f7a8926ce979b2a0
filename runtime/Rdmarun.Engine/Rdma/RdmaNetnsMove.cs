using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// Exclusive netns mode: granted devices move into the container's network namespace once it exists and come
/// back when the container goes; each direction is checked with a netlink socket in the receiving netns, so a
/// device that did not arrive (or did not return) is an error rather than a silent leak. In shared mode (or
/// when the container shares the runtime's netns) nothing moves: the sysfs filter does the hiding.
/// </summary>
public sealed class RdmaNetnsMove
{
    /// <summary>Comma list of the devices moved into the container's netns; delete returns exactly these.</summary>
    public const string MovedAnnotation = "org.rdmarun.rdma.moved";

    /// <summary>How long delete waits for the kernel to hand devices back after the netns died.</summary>
    public static TimeSpan ReturnTimeout { get; set; } = TimeSpan.FromSeconds(10);

    readonly int _netnsFd;
    readonly List<string> _moved;

    RdmaNetnsMove(int netnsFd, List<string> moved) { _netnsFd = netnsFd; _moved = moved; }

    /// <summary>
    /// Moves <paramref name="devices"/> into the netns of <paramref name="initPid"/> when the rdma subsystem is in
    /// exclusive mode and the container has its own netns; records them in the spec's annotations (which the
    /// container record shares). Returns null when nothing moved. On failure every device is back on the host.
    /// <paramref name="beforeMove"/> is called with the devices just before the first one moves, to record them
    /// where a `delete --force` after a crash finds them.
    /// </summary>
    public static RdmaNetnsMove? IntoContainer(IReadOnlyList<string> devices, Spec spec, int initPid, Action<IReadOnlyList<string>>? beforeMove = null)
    {
        if (devices.Count == 0) return null;
        if (!(spec.Linux?.Namespaces ?? []).Any(n => n.Type == "network")) return null;
        var nsPath = $"/proc/{initPid}/ns/net";
        if (new FileInfo(nsPath).LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget) return null;

        List<string> moved = [];
        int fd = -1;
        try
        {
            using (var hostSocket = RdmaNetlink.OpenHost())
            {
                var host = new NldevClient(hostSocket);
                if (host.GetNetnsMode() == RdmaNetnsMode.Shared) return null;
                fd = SyscallException.Check(Libc.open(nsPath, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), $"open {nsPath}");
                beforeMove?.Invoke(devices);
                foreach (var name in devices)
                {
                    RdmaDeviceMover.Move(host, name, fd);
                    moved.Add(name);
                }
            }
            using (var inside = RdmaNetlink.OpenInNetns(fd))
            {
                var client = new NldevClient(inside);
                foreach (var name in moved)
                    if (!RdmaDeviceMover.IsVisible(client, name))
                        throw new RuntimeError($"rdma: device {name} was moved but is not visible in the container's network namespace ({nsPath})");
            }
            var a = spec.Annotations ??= new Dictionary<string, string>();
            a[MovedAnnotation] = string.Join(",", moved);
            return new RdmaNetnsMove(fd, moved);
        }
        catch (Exception e) when (e is RdmaNetlinkException or SyscallException or RuntimeError)
        {
            if (fd >= 0)
            {
                try { MoveBack(fd, moved); } catch (Exception) { /* the first failure says more; delete reports leftovers */ }
                Libc.close(fd);
            }
            throw e as RuntimeError ?? new RuntimeError(e.Message, e);
        }
    }

    /// <summary>The move stands (the RDMA hook, whose process ends now): only the netns fd is closed.</summary>
    public void Keep() => Libc.close(_netnsFd);

    /// <summary>Create failed after the move: hand the devices back while the container's netns still exists.</summary>
    public void Release()
    {
        try { MoveBack(_netnsFd, _moved); }
        finally { Libc.close(_netnsFd); }
    }

    /// <summary>
    /// Delete: the container's processes are gone. A netns of our own dies with them and the kernel returns its
    /// devices (asynchronously): wait until the host sees each one. A netns the spec named by path outlives the
    /// container: move the devices back out of it.
    /// </summary>
    public static void ReturnOnDelete(ContainerRecord r)
    {
        var moved = Split(r.Annotations);
        if (moved.Count == 0) return;
        Return(moved, r.NamespacePaths?.GetValueOrDefault("network"));
    }

    /// <summary>
    /// Returns <paramref name="moved"/> to the host: out of <paramref name="netnsPath"/> when the container joined
    /// a netns named by path (it outlives the container), else waits for the kernel to hand them back.
    /// </summary>
    public static void Return(IReadOnlyList<string> moved, string? netnsPath)
    {
        try
        {
            ReturnCore(moved, netnsPath);
        }
        catch (Exception e) when (e is RdmaNetlinkException or SyscallException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }

    static void ReturnCore(IReadOnlyList<string> moved, string? path)
    {
        if (path is not null && !path.StartsWith("/proc/", StringComparison.Ordinal)
            && Libc.open(path, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0) is var fd and >= 0)
        {
            try { MoveBack(fd, moved); }
            finally { Libc.close(fd); }
            return;
        }
        WaitReturned(moved);
    }

    static List<string> Split(IReadOnlyDictionary<string, string>? annotations)
        => annotations?.GetValueOrDefault(MovedAnnotation) is { Length: > 0 } v
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : [];

    static void MoveBack(int containerNetnsFd, IReadOnlyList<string> devices)
    {
        if (devices.Count == 0) return;
        int hostFd = SyscallException.Check(Libc.open("/proc/self/ns/net", LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), "open /proc/self/ns/net");
        try
        {
            using var inside = RdmaNetlink.OpenInNetns(containerNetnsFd);
            var client = new NldevClient(inside);
            foreach (var name in devices)
            {
                // Already back (the kernel returned it, or an earlier attempt got this far): nothing to do.
                if (!RdmaDeviceMover.IsVisible(client, name)) continue;
                RdmaDeviceMover.Move(client, name, hostFd, destination: "the host network namespace");
            }
        }
        finally
        {
            Libc.close(hostFd);
        }
        WaitReturned(devices);
    }

    static void WaitReturned(IReadOnlyList<string> devices)
    {
        var missing = RdmaDeviceMover.WaitReturned(devices, ReturnTimeout, RdmaNetlink.OpenHost);
        if (missing.Count > 0)
            throw new RuntimeError(
                $"rdma: device{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} did not return to the host network namespace within {ReturnTimeout.TotalSeconds:0} s (a process or mount still holds the container's network namespace)");
    }
}
