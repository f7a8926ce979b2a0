namespace Rdmarun.Conformance;

/// <summary>Facts about the host the harness runs on, for "new vs host namespace" comparisons and cgroup lookups.</summary>
static class HostInfo
{
    public static string NsInode(string ns) => NsInode("self", ns);

    public static string NsInode(string pid, string ns)
    {
        var target = new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget
            ?? throw new CaseFailedException($"reading /proc/{pid}/ns/{ns} failed");
        return Facts.ExtractInode(target);
    }

    /// <summary>Controllers the kernel knows about (/proc/cgroups), whether or not they are mounted.</summary>
    public static bool KernelHasController(string controller) =>
        File.ReadLines("/proc/cgroups").Any(l => l.Split('\t')[0] == controller)
        || (File.Exists("/sys/fs/cgroup/cgroup.controllers")
            && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Split(' ', '\n').Contains(controller));

    /// <summary>
    /// The host path of a cgroup file for the process <paramref name="pid"/>: v1 hierarchies are found by the
    /// controller in their superblock options, v2 by the "0::" line. Null when the controller is not mounted.
    /// </summary>
    public static string? CgroupFile(int pid, string controller, string v1File, string v2File)
    {
        var (dir, v2) = FindCgroup(pid, controller);
        return dir is null ? null : Path.Combine(dir, v2 ? v2File : v1File);
    }

    /// <summary>The host directory of <paramref name="pid"/>'s cgroup for <paramref name="controller"/>, or null.</summary>
    public static string? CgroupDir(int pid, string controller) => FindCgroup(pid, controller).Dir;

    static (string? Dir, bool V2) FindCgroup(int pid, string controller)
    {
        var mounts = File.ReadLines("/proc/self/mountinfo").Select(MountInfo.Parse).Where(m => m is not null).Cast<MountInfo>().ToList();
        foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            if (parts[0] != "0" && parts[1].Split(',').Contains(controller))
            {
                var m = mounts.FirstOrDefault(m => m.FsType == "cgroup" && m.SuperOptions.Contains(controller));
                if (m is not null)
                    return (Path.Combine(m.MountPoint, parts[2].TrimStart('/')), false);
            }
            if (parts[0] == "0" && parts[1] == "")
            {
                var m = mounts.FirstOrDefault(m => m.FsType == "cgroup2");
                if (m is null)
                    continue;
                var dir = Path.Combine(m.MountPoint, parts[2].TrimStart('/'));
                var controllers = Path.Combine(dir, "cgroup.controllers");
                // v2 has no freezer controller: every non-root cgroup has cgroup.freeze.
                bool has = controller == "freezer"
                    ? File.Exists(Path.Combine(dir, "cgroup.freeze"))
                    : File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains(controller);
                if (has)
                    return (dir, true);
            }
        }
        return (null, false);
    }
}
