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
        Allow("c", 1, 3), Allow("c", 1, 5), Allow("c", 1, 7), Allow("c", 1, 8), Allow("c", 1, 9), // null zero full random urandom
        Allow("c", 5, 0), Allow("c", 5, 1), Allow("c", 5, 2), Allow("c", 136, null),              // tty console ptmx pts/*
    ];

    /// <summary>The resources to apply: the spec's rules, then the defaults and linux.devices (later rules win).</summary>
    public static LinuxResources Complete(Spec spec)
    {
        var r = spec.Linux?.Resources ?? new LinuxResources();
        var rules = new List<LinuxDeviceCgroup>(r.Devices ?? []);
        rules.AddRange(Defaults);
        foreach (var d in spec.Linux?.Devices ?? [])
            rules.Add(Allow(d.Type == "u" ? "c" : d.Type, d.Major, d.Minor));
        r.Devices = rules;
        return r;
    }
}
