using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Cgroups;

/// <summary>
/// The device cgroup rules a container gets besides the spec's own (runc's AllowedDevices):
/// mknod of anything (nodes are created before the rules apply and images may hold nodes), the
/// default devices, the pty devices, and every node listed in linux.devices.
/// </summary>
public static class DefaultDeviceRules
{
    private static LinuxDeviceCgroup Allow(string type, long? major, long? minor, string access = "rwm") =>
        new() { Allow = true, Type = type, Major = major, Minor = minor, Access = access };

    public static readonly IReadOnlyList<LinuxDeviceCgroup> Defaults =
    [
        Allow("c", null, null, "m"), Allow("b", null, null, "m"),
        // The nodes every container gets (created by Init/DeviceNodes from the same table)...
        .. Init.DefaultDevices.Nodes.Select(n => Allow("c", n.Major, n.Minor)),
        // ...and the pty devices: /dev/console, /dev/ptmx, /dev/pts/*.
        Allow("c", 5, 1), Allow("c", 5, 2), Allow("c", 136, null),
    ];

    /// <summary>The resources to apply: the spec's rules, then the defaults and linux.devices (later rules win).</summary>
    public static LinuxResources Complete(Spec spec)
    {
        var r = spec.Linux?.Resources ?? new LinuxResources();
        var rules = new List<LinuxDeviceCgroup>(r.Devices ?? []);
        rules.AddRange(Defaults);
        // A fifo ("p") is created by mknod like a device but the device controller knows only c and b.
        foreach (var d in spec.Linux?.Devices ?? [])
            if (d.Type != "p") rules.Add(Allow(d.Type == "u" ? "c" : d.Type, d.Major, d.Minor));
        r.Devices = rules;
        return r;
    }
}
