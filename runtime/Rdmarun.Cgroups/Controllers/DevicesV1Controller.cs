using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.devices → v1 devices.deny / devices.allow.</summary>
public static class DevicesV1Controller
{
    /// <summary>Deny everything, then replay the rules in order so the last matching rule decides, as in the spec.</summary>
    public static void Set(string dir, List<LinuxDeviceCgroup> rules)
    {
        CgroupFile.Write(dir, "devices.deny", "a");
        foreach (var r in rules) CgroupFile.Write(dir, r.Allow ? "devices.allow" : "devices.deny", Rule(r));
    }

    /// <summary>"type major:minor access"; a missing major/minor is "*", missing access is "rwm".</summary>
    public static string Rule(LinuxDeviceCgroup r)
    {
        var type = string.IsNullOrEmpty(r.Type) ? "a" : r.Type;
        if (type is not ("a" or "c" or "b"))
            throw new CgroupException($"cgroup: invalid device type \"{r.Type}\" in linux.resources.devices: want a, c or b");
        if (type == "a") return "a";
        var access = string.IsNullOrEmpty(r.Access) ? "rwm" : r.Access;
        if (access.Any(ch => ch is not ('r' or 'w' or 'm')))
            throw new CgroupException($"cgroup: invalid device access \"{r.Access}\" in linux.resources.devices: want a combination of r, w, m");
        return $"{type} {(r.Major is { } ma && ma >= 0 ? ma.ToString() : "*")}:{(r.Minor is { } mi && mi >= 0 ? mi.ToString() : "*")} {access}";
    }
}
