namespace Rdmarun.Cgroups;

/// <summary>How cgroups are mounted on this host.</summary>
public enum CgroupMode
{
    /// <summary>Only v1 hierarchies.</summary>
    Legacy,
    /// <summary>v1 hierarchies for the controllers plus a cgroup2 tree (usually /sys/fs/cgroup/unified).</summary>
    Hybrid,
    /// <summary>One cgroup2 tree at the cgroup root.</summary>
    Unified,
}

/// <summary>One cgroup filesystem mount from mountinfo.</summary>
/// <param name="MountPoint">Where it is mounted.</param>
/// <param name="Root">The cgroup this mount shows at its mount point (not "/" inside a cgroup namespace bind).</param>
/// <param name="Controllers">v1 controllers (and "name=..." hierarchies); empty for cgroup2.</param>
public sealed record CgroupMount(string MountPoint, string Root, IReadOnlyList<string> Controllers, bool IsUnified);

/// <summary>
/// The detected cgroup layout: mounts plus the calling process's own cgroups (needed because a
/// relative cgroupsPath is placed under the caller's cgroup, as runc's cgroupfs driver does).
/// </summary>
public sealed class CgroupSetup
{
    /// <summary>v1 controller names runc knows; anything else in mount options is a mount flag.</summary>
    private static readonly HashSet<string> KnownV1Controllers =
    [
        "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "net_prio",
        "perf_event", "hugetlb", "pids", "rdma", "misc",
    ];

    public CgroupMode Mode { get; }
    public string CgroupRoot { get; }
    /// <summary>v1 mounts by controller name (co-mounted controllers share one entry value).</summary>
    public IReadOnlyDictionary<string, CgroupMount> V1Mounts { get; }
    public CgroupMount? UnifiedMount { get; }
    /// <summary>The caller's cgroup per v1 controller; key "" is the cgroup2 path.</summary>
    public IReadOnlyDictionary<string, string> OwnCgroups { get; }

    private CgroupSetup(CgroupMode mode, string root, Dictionary<string, CgroupMount> v1, CgroupMount? unified, Dictionary<string, string> own)
    {
        Mode = mode; CgroupRoot = root; V1Mounts = v1; UnifiedMount = unified; OwnCgroups = own;
    }

    /// <summary>Reads /proc/self/mountinfo and /proc/self/cgroup.</summary>
    public static CgroupSetup Detect() =>
        Parse(File.ReadAllText("/proc/self/mountinfo"), File.ReadAllText("/proc/self/cgroup"));

    /// <summary>Builds the layout from mountinfo and /proc/self/cgroup texts; <paramref name="cgroupRoot"/> lets tests use a temp dir.</summary>
    public static CgroupSetup Parse(string mountinfo, string procSelfCgroup, string cgroupRoot = "/sys/fs/cgroup")
    {
        cgroupRoot = cgroupRoot.TrimEnd('/');
        var v1 = new Dictionary<string, CgroupMount>();
        CgroupMount? unified = null;
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var mount = ParseMountLine(line);
            if (mount is null) continue;
            // Only mounts under the cgroup root count: a container's bind of /sys/fs/cgroup elsewhere is not ours.
            if (mount.MountPoint != cgroupRoot && !mount.MountPoint.StartsWith(cgroupRoot + "/", StringComparison.Ordinal)) continue;
            // Later lines shadow earlier mounts on the same point, so the last one wins.
            if (mount.IsUnified)
            {
                if (unified is null || unified.MountPoint != cgroupRoot) unified = mount;
            }
            else
            {
                foreach (var c in mount.Controllers) v1[c] = mount;
            }
        }
        CgroupMode mode = unified is not null && unified.MountPoint == cgroupRoot ? CgroupMode.Unified
            : v1.Count == 0 ? (unified is not null ? CgroupMode.Unified
                : throw new CgroupException($"cgroup: no cgroup filesystem mounted under {cgroupRoot}"))
            : unified is not null ? CgroupMode.Hybrid : CgroupMode.Legacy;
        if (mode == CgroupMode.Unified) v1.Clear();
        return new CgroupSetup(mode, cgroupRoot, v1, unified, ParseProcCgroup(procSelfCgroup));
    }

    /// <summary>Parses "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS".</summary>
    internal static CgroupMount? ParseMountLine(string line)
    {
        var fields = line.Split(' ');
        int dash = Array.IndexOf(fields, "-");
        if (dash < 5 || fields.Length < dash + 4) return null;
        string fstype = fields[dash + 1];
        if (fstype != "cgroup" && fstype != "cgroup2") return null;
        string root = MountInfo.Unescape(fields[3]), mountPoint = MountInfo.Unescape(fields[4]);
        if (fstype == "cgroup2") return new CgroupMount(mountPoint, root, [], true);
        var controllers = fields[dash + 3].Split(',')
            .Where(o => KnownV1Controllers.Contains(o) || o.StartsWith("name=", StringComparison.Ordinal))
            .ToList();
        return controllers.Count == 0 ? null : new CgroupMount(mountPoint, root, controllers, false);
    }

    /// <summary>Parses /proc/self/cgroup ("N:ctrl1,ctrl2:/path"; "0::/path" for cgroup2).</summary>
    internal static Dictionary<string, string> ParseProcCgroup(string text)
    {
        var own = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[1].Length == 0) { own[""] = parts[2]; continue; }
            foreach (var c in parts[1].Split(',')) own[c] = parts[2];
        }
        return own;
    }

    /// <summary>Controllers the cgroup2 root offers (cgroup.controllers).</summary>
    public IReadOnlyList<string> UnifiedControllers() =>
        UnifiedMount is null ? []
            : (CgroupFile.TryRead(UnifiedMount.MountPoint, "cgroup.controllers") ?? "")
                .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
}
