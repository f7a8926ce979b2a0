using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.network → net_cls.classid and net_prio.ifpriomap (cgroup v1 only).</summary>
public static class NetworkController
{
    public static bool ClassIdRequested(LinuxNetwork? n) => n?.ClassID is not null;

    public static bool PrioritiesRequested(LinuxNetwork? n) => n?.Priorities is { Count: > 0 };

    public static void SetClassId(string dir, LinuxNetwork n) =>
        CgroupFile.Write(dir, "net_cls.classid", n.ClassID!.Value.ToString());

    public static void SetPriorities(string dir, LinuxNetwork n)
    {
        foreach (var p in n.Priorities!) CgroupFile.Write(dir, "net_prio.ifpriomap", $"{p.Name} {p.Priority}");
    }
}
