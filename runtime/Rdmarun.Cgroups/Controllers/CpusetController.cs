using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.cpu.cpus/mems → cpuset.cpus / cpuset.mems (same names in v1 and v2).</summary>
public static class CpusetController
{
    public static bool Requested(LinuxCPU? c) => c is not null && (!string.IsNullOrEmpty(c.Cpus) || !string.IsNullOrEmpty(c.Mems));

    public static void Set(string dir, LinuxCPU c)
    {
        if (!string.IsNullOrEmpty(c.Cpus)) CgroupFile.Write(dir, "cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) CgroupFile.Write(dir, "cpuset.mems", c.Mems);
    }

    /// <summary>
    /// A new v1 cpuset starts with empty cpus/mems and refuses tasks (ENOSPC); copy each empty value
    /// from the parent, top-down from <paramref name="mountPoint"/>, as runc does.
    /// </summary>
    public static void InheritV1(string mountPoint, string dir)
    {
        var chain = new List<string>();
        for (var d = dir.TrimEnd('/'); d.Length > mountPoint.TrimEnd('/').Length; d = Path.GetDirectoryName(d)!) chain.Add(d);
        chain.Reverse();
        foreach (var d in chain)
        {
            var parent = Path.GetDirectoryName(d)!;
            foreach (var file in (string[])["cpuset.cpus", "cpuset.mems"])
            {
                var current = CgroupFile.TryRead(d, file)?.Trim();
                if (!string.IsNullOrEmpty(current)) continue;
                var fromParent = CgroupFile.Read(parent, file).Trim();
                if (fromParent.Length > 0) CgroupFile.Write(d, file, fromParent);
            }
        }
    }
}
