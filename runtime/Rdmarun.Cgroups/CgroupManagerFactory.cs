namespace Rdmarun.Cgroups;

/// <summary>Builds the cgroup manager for a container (cgroupfs driver; systemd driver: TODO).</summary>
public static class CgroupManagerFactory
{
    /// <summary>
    /// A manager for <paramref name="cgroupsPath"/> (linux.cgroupsPath): absolute = from each hierarchy's
    /// root, relative = under the caller's cgroup, empty = the container id under the caller's cgroup
    /// (runc's cgroupfs driver). Nothing is created until <see cref="ICgroupManager.Apply"/>.
    /// </summary>
    public static ICgroupManager Create(string? cgroupsPath, string containerId, CgroupSetup setup, bool rootless)
    {
        var inner = CgroupPathResolver.InnerPath(cgroupsPath, containerId);
        if (setup.Mode == CgroupMode.Unified)
        {
            var mount = setup.UnifiedMount!;
            var dir = CgroupPathResolver.Resolve(mount, inner, setup.OwnCgroups.GetValueOrDefault(""), useParentOfOwn: true);
            return new FsV2Manager(dir, mount.MountPoint, rootless);
        }
        var paths = new Dictionary<string, string>();
        var mounts = new Dictionary<string, string>();
        foreach (var (controller, mount) in setup.V1Mounts)
        {
            paths[controller] = CgroupPathResolver.Resolve(mount, inner, setup.OwnCgroups.GetValueOrDefault(controller), useParentOfOwn: false);
            mounts[controller] = mount.MountPoint;
        }
        if (setup.Mode == CgroupMode.Hybrid && setup.UnifiedMount is { } unified)
        {
            // The unified tree holds no processes of note on a hybrid host, so the caller's own cgroup
            // (not its parent) is the base, as for the v1 hierarchies.
            paths[""] = CgroupPathResolver.Resolve(unified, inner, setup.OwnCgroups.GetValueOrDefault(""), useParentOfOwn: false);
            mounts[""] = unified.MountPoint;
        }
        return new FsV1Manager(paths, mounts, rootless);
    }

    /// <summary>
    /// Rebuilds a manager from <see cref="ICgroupManager.Paths"/> saved in state.json (for delete, kill,
    /// update, events). <paramref name="setup"/> (normally <see cref="CgroupSetup.Detect"/>) supplies mount
    /// points, needed only when a later update must enable a cgroup2 controller.
    /// </summary>
    public static ICgroupManager Load(IReadOnlyDictionary<string, string> savedPaths, CgroupSetup? setup = null, bool rootless = false)
    {
        if (savedPaths.Count == 0) throw new CgroupException("cgroup: no saved cgroup paths to load");
        if (savedPaths.Count == 1 && savedPaths.ContainsKey(""))
            return new FsV2Manager(savedPaths[""], setup?.UnifiedMount?.MountPoint, rootless);
        var mounts = new Dictionary<string, string>();
        if (setup is not null)
        {
            foreach (var key in savedPaths.Keys)
            {
                if (key.Length == 0 && setup.UnifiedMount is { } u) mounts[""] = u.MountPoint;
                else if (setup.V1Mounts.TryGetValue(key, out var m)) mounts[key] = m.MountPoint;
            }
        }
        return new FsV1Manager(savedPaths, mounts, rootless);
    }
}
