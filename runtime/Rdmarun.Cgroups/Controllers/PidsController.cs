using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.pids.limit → pids.max (0 or negative = "max").</summary>
public static class PidsController
{
    public static bool Requested(LinuxPids? p) => p?.Limit is not null;

    public static void Set(string dir, LinuxPids p) =>
        CgroupFile.Write(dir, "pids.max", p.Limit is > 0 ? p.Limit.Value.ToString() : "max");
}
