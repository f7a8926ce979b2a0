using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>The spec's "cgroup" mount: the container's own cgroups at /sys/fs/cgroup.</summary>
public static class CgroupMount
{
    public static void Mount(string dest, MountOptions opts, InitConfig cfg)
    {
        Mounter.MkdirAll(dest);
        var paths = cfg.CgroupPaths ?? new Dictionary<string, string>();
        nuint flags = opts.Flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_RDONLY);
        bool unifiedOnly = paths.Count == 0 || (paths.Count == 1 && paths.ContainsKey("") && IsPureV2());
        if (unifiedOnly)
        {
            // cgroup v2: with a cgroup namespace the fresh mount shows the container's subtree as /.
            paths.TryGetValue("", out var own);
            if (cfg.NewCgroupNs || own is null) MountFreshOrBind(dest, flags, own);
            else if (Directory.Exists(own)) BindTree(own, dest, flags);
            // Rootless without a delegated cgroup (the container runs where its caller is): the whole tree, as runc.
            else BindTree("/sys/fs/cgroup", dest, flags);
            return;
        }
        // v1 / hybrid: a tmpfs holding one bind of the container's directory per hierarchy, as runc does.
        Mounter.Mount("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
        var doneDirs = new HashSet<string>();
        foreach (var (_, hostPath) in paths)
        {
            var rel = hostPath.StartsWith("/sys/fs/cgroup/") ? hostPath["/sys/fs/cgroup/".Length..] : null;
            if (rel is null) continue;
            var hierarchy = rel.Split('/')[0];
            if (!doneDirs.Add(hierarchy) || !Directory.Exists(hostPath)) continue;
            var target = Path.Combine(dest, hierarchy);
            Mounter.MkdirAll(target);
            Mounter.Mount(hostPath, target, "bind", MS_BIND, null);
            Mounter.BindRemount(target, flags);
            // cpu,cpuacct is also reachable as cpu and cpuacct (runc's symlinks).
            if (hierarchy.Contains(','))
                foreach (var alias in hierarchy.Split(','))
                    if (!File.Exists(Path.Combine(dest, alias)) && !Directory.Exists(Path.Combine(dest, alias)))
                        File.CreateSymbolicLink(Path.Combine(dest, alias), hierarchy);
        }
        if ((opts.Flags & MS_RDONLY) != 0) Mounter.BindRemount(dest, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }

    /// <summary>
    /// A fresh cgroup2 mount. The kernel refuses it in two rootless cases: EPERM when the user
    /// namespace does not own the cgroup namespace, and EBUSY when the new mount would be the very
    /// superblock on the same mount point (rootless: /sys is an rbind of the host's, so the host's
    /// cgroup2 mount is there already). Then, as runc: the container's own cgroup, the whole tree
    /// when there is no cgroup at all, and an empty read-only tmpfs when the container has none of its
    /// own (rootless without delegation): its namespace's root, where the caller is, cannot be named here.
    /// </summary>
    private static void MountFreshOrBind(string dest, nuint flags, string? own)
    {
        try { Mounter.Mount("cgroup2", dest, "cgroup2", flags, null); }
        catch (SyscallException e) when (e.Errno is EPERM or EBUSY)
        {
            if (own is null || Directory.Exists(own)) BindTree(own ?? "/sys/fs/cgroup", dest, flags);
            else Mounter.Mount("tmpfs", dest, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        }
    }

    private static void BindTree(string source, string dest, nuint flags)
    {
        Mounter.Mount(source, dest, "bind", MS_BIND, null);
        Mounter.BindRemount(dest, flags);
    }

    private static bool IsPureV2() => File.Exists("/sys/fs/cgroup/cgroup.controllers");
}
