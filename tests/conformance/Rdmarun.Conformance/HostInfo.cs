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
                    return Path.Combine(m.MountPoint, parts[2].TrimStart('/'), v1File);
            }
            if (parts[0] == "0" && parts[1] == "")
            {
                var m = mounts.FirstOrDefault(m => m.FsType == "cgroup2");
                if (m is null)
                    continue;
                var dir = Path.Combine(m.MountPoint, parts[2].TrimStart('/'));
                var controllers = Path.Combine(dir, "cgroup.controllers");
                if (File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains(controller))
                    return Path.Combine(dir, v2File);
            }
        }
        return null;
    }
}
