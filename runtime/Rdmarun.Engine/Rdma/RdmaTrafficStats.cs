using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Lifecycle;
using Rdmarun.Engine.Native;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Accounting;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// `events --stats`: the per-port QP traffic of each granted device, next to its rdma.current. Nothing here fails
/// the events call: a device whose counters cannot be had says why in "countersUnavailable".
/// </summary>
public static class RdmaTrafficStats
{
    public static void AddTo(EventStats stats, ContainerRecord r, ContainerCgroup cg)
    {
        if (RdmaSpecGrant.GrantedDevices(r.Annotations).Count == 0) return;
        AddTo(stats, r.Annotations, r.InitPid, Tasks(cg.Pids()));
    }

    /// <param name="tasks">The container's thread ids (host pid namespace).</param>
    public static void AddTo(EventStats stats, IReadOnlyDictionary<string, string>? annotations, int initPid, IReadOnlySet<uint> tasks)
    {
        var granted = RdmaSpecGrant.GrantedDevices(annotations);
        if (granted.Count == 0) return;
        var moved = (annotations?.GetValueOrDefault(RdmaNetnsMove.MovedAnnotation) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var drivers = Drivers();
        stats.Rdma ??= new();
        foreach (var name in granted)
        {
            var entry = stats.Rdma.TryGetValue(name, out var e) ? e : stats.Rdma[name] = new EventRdma();
            var driver = drivers.GetValueOrDefault(name) ?? RdmaDevice.DriverFromName(name);
            try
            {
                // A device moved into the container (exclusive mode) is only found by a socket in its netns.
                using var socket = moved.Contains(name) ? OpenInContainerNetns(initPid) : RdmaNetlink.OpenHost();
                var nl = new NldevClient(socket);
                var device = nl.FindDevice(name);
                if (device is null)
                {
                    entry.CountersUnavailable = $"counters unavailable: rdma device {name} is not visible in the {(moved.Contains(name) ? "container's" : "host")} network namespace";
                    continue;
                }
                Fill(entry, ContainerQpCounters.Collect(nl, device.Index, driver, tasks));
            }
            catch (Exception ex) when (ex is RdmaNetlinkException or SyscallException or IOException)
            {
                entry.CountersUnavailable = $"counters unavailable: {ex.Message}";
            }
        }
    }

    static void Fill(EventRdma entry, DeviceTraffic traffic)
    {
        entry.Ports = traffic.Ports.ToDictionary(
            p => p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            p => new EventRdmaPort { Qps = p.Qps, Counters = p.Counters?.ToDictionary(kv => kv.Key, kv => kv.Value) });
        entry.CountersUnavailable = traffic.Unavailable;
    }

    /// <summary>The kernel records the thread that created a QP; a process's threads are under /proc/PID/task.</summary>
    static HashSet<uint> Tasks(IReadOnlyList<int> pids)
    {
        var tasks = new HashSet<uint>();
        foreach (var pid in pids)
        {
            tasks.Add((uint)pid);
            try
            {
                foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                    if (uint.TryParse(Path.GetFileName(dir), out var tid)) tasks.Add(tid);
            }
            catch (IOException) { } // exited meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return tasks;
    }

    /// <summary>The driver for the message: the device/driver link in sysfs; soft devices (rxe) fall back to the name.</summary>
    static Dictionary<string, string> Drivers()
    {
        try
        {
            return new SysfsRdmaDiscovery().Discover().Devices.ToDictionary(d => d.Name, d => d.DriverName, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(StringComparer.Ordinal);
        }
    }

    static INetlinkTransport OpenInContainerNetns(int initPid)
    {
        var path = $"/proc/{initPid}/ns/net";
        var fd = SyscallException.Check(Libc.open(path, LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), $"open {path}");
        try { return RdmaNetlink.OpenInNetns(fd); }
        finally { Libc.close(fd); }
    }
}
