using System.Globalization;
using Rdmarun.Engine.Init;
using Rdmarun.Engine.Launch;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Which `run` specs may become a run template (RUN_TEMPLATE.md), and the `template` lines that
/// say what each warm container gets of its own: new PID/UTS/IPC/network (and on cgroup v2 cgroup) namespaces, a copy of the
/// template's mount namespace with a fresh /proc (its read-only and masked paths re-applied), fresh
/// tmpfs/devpts/mqueue instances and its own cgroup dirs at /sys/fs/cgroup; names and cwd.
/// Everything else (rootfs, /dev and its nodes, binds, sysfs, the RDMA grant) is the template's.
/// Pure: every input is a parameter.
/// </summary>
public static class RunTemplateSpec
{
    private const ulong PerContainer = Namespaces.CLONE_NEWPID | Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWIPC
        | Namespaces.CLONE_NEWNET | Namespaces.CLONE_NEWNS;

    /// <summary>Null when the effective spec of a `run` may be published; else why not.</summary>
    /// <param name="rootless">The caller is not root: its containers have a user namespace of their own, which warm runs join (the template's).</param>
    /// <param name="pureV2">The host has cgroup v2 only: a cgroup namespace of the container's own can be served.</param>
    public static string? Reason(Spec spec, bool systemdCgroup, bool rootless, bool pureV2 = false)
    {
        var p = spec.Process;
        if (p is null) return "the spec has no process";
        if (p.Terminal) return "process.terminal is true";
        if (p.User.UID != 0 || p.User.GID != 0 || p.User.AdditionalGids is { Count: > 0 })
            return "process.user is not uid 0, gid 0 without additional gids";
        // A relative root.path is fine: C puts the bundle dir in the key then.
        if (spec.Linux?.RootfsPropagation is { } prop && prop.Contains("shared", StringComparison.Ordinal))
            return "linux.rootfsPropagation is shared (a container's own mounts would reach the template)";
        return NamespaceReason(spec.Linux?.Namespaces, rootless, pureV2) ?? MountReason(spec) ?? LaunchTemplateEligibility.Common(spec, systemdCgroup);
    }

    /// <summary>New namespaces of the kinds a warm container can make for itself, a mount namespace among them.</summary>
    private static string? NamespaceReason(List<LinuxNamespace>? namespaces, bool rootless, bool pureV2)
    {
        bool mount = false;
        foreach (var ns in namespaces ?? [])
        {
            if (!string.IsNullOrEmpty(ns.Path)) return $"the spec joins the {ns.Type} namespace {ns.Path}";
            // Rootless: every warm container joins the template's user namespace (same mappings: same key).
            if (ns.Type == LinuxNamespaceType.User && rootless) continue;
            // A cgroup namespace (`runc spec` and `rdmarun spec` add one on cgroup v2 hosts, --rootless too): the
            // warm child unshares it after joining its own cgroup (rootless: where the caller is, as the full
            // path) and mounts a fresh cgroup2 in it, as the full path's init. On v1 that would be one fresh
            // mount per hierarchy.
            if (ns.Type == LinuxNamespaceType.Cgroup)
            {
                if (!pureV2) return "the spec has a cgroup namespace of its own (served on cgroup v2 hosts only)";
                continue;
            }
            if ((Namespaces.Flag(ns.Type) & PerContainer) == 0) return $"the spec has a {ns.Type} namespace of its own";
            mount |= ns.Type == LinuxNamespaceType.Mount;
        }
        return mount ? null : "the spec has no mount namespace of its own";
    }

    private static string? MountReason(Spec spec)
    {
        var mounts = spec.Mounts ?? [];
        foreach (var m in mounts)
        {
            var opts = MountOptions.Parse(m.Options);
            if (opts.Propagation.Count > 0) return $"mount {m.Destination} sets its propagation";
            if ((opts.IsBind || m.Type == "bind") && m.Source is { } src && !src.StartsWith('/'))
                return $"mount {m.Destination} has a source relative to the bundle";
            if (m.Options?.Contains("tmpcopyup") == true) return $"mount {m.Destination} copies the image's files up";
            if (m.Type == "proc" && opts.Data.Length > 0) return $"mount {m.Destination} passes procfs options ({opts.Data})";
            if (Refreshed(m, mounts, ownPid: true) && mounts.Any(o => o != m && Under(o.Destination, m.Destination)))
                return $"mount {m.Destination} has mounts below it";
        }
        return null;
    }

    /// <summary>The lines of a run template (RUN_TEMPLATE.md); <paramref name="cgroupPaths"/> are the template cgroup's.</summary>
    public static List<(string Directive, string? Value)> Lines(Spec spec, IReadOnlyDictionary<string, string> cgroupPaths, bool pureV2)
    {
        var lines = new List<(string, string?)> { ("kind", "run") };
        ulong flags = 0;
        foreach (var ns in spec.Linux?.Namespaces ?? []) flags |= Namespaces.Flag(ns.Type);
        // The guard holds the template's user and mount namespaces and hands them to each warm run
        // (an unprivileged publisher cannot bind-mount an nsfs file to keep them).
        if ((flags & Namespaces.CLONE_NEWUSER) != 0) lines.Add(("userns", null));
        lines.Add(("newns", flags.ToString("x", CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(spec.Hostname)) lines.Add(("hostname", spec.Hostname));
        if (!string.IsNullOrEmpty(spec.Domainname)) lines.Add(("domainname", spec.Domainname));
        lines.Add(("cwd", string.IsNullOrEmpty(spec.Process?.Cwd) ? "/" : spec.Process!.Cwd));

        bool ownPid = (flags & Namespaces.CLONE_NEWPID) != 0;
        var mounts = spec.Mounts ?? [];
        var refreshed = new List<string>();
        foreach (var m in mounts)
        {
            if (!Refreshed(m, mounts, ownPid)) continue;
            var dest = Dest(m);
            var opts = MountOptions.Parse(m.Options);
            string hexFlags = ((ulong)opts.Flags).ToString("x", CultureInfo.InvariantCulture);
            // The source names the mount in /proc/self/mountinfo, as the full path's (Source ?? type).
            var source = string.IsNullOrEmpty(m.Source) ? m.Type! : m.Source;
            if (source.Contains(' ')) throw new RuntimeError($"run template: mount source {source} contains a space");
            if (m.Type == "proc") lines.Add(("procfs", $"{hexFlags} {source} {dest}"));
            else if (m.Type is "cgroup" or "cgroup2")
                lines.AddRange(CgroupLines(opts, dest, cgroupPaths, pureV2, (flags & Namespaces.CLONE_NEWCGROUP) != 0));
            else lines.Add(("fresh", $"{m.Type} {source} {hexFlags} {(opts.Data.Length == 0 ? "-" : opts.Data)} {dest}"));
            refreshed.Add(dest);
        }
        // As RootfsFinalize: read-only paths, then masked ones; only those under a fresh mount need doing again.
        foreach (var path in spec.Linux?.ReadonlyPaths ?? [])
            if (refreshed.Any(r => Under(path, r))) lines.Add(("rdonly", path));
        foreach (var path in spec.Linux?.MaskedPaths ?? [])
            if (refreshed.Any(r => Under(path, r))) lines.Add(("mask", path));
        foreach (var (d, rest) in lines)
            if (rest is not null && (rest.Contains('\n') || rest.Contains('\0')))
                throw new RuntimeError($"run template: the {d} value contains a newline or NUL");
        return lines;
    }

    /// <summary>
    /// CgroupMount's binds, one per hierarchy: the container's own dir in place of the template's.
    /// The v1 tmpfs itself (and its aliases) is the template's; a cgroup2 mount of the whole tree needs nothing.
    /// </summary>
    private static IEnumerable<(string, string?)> CgroupLines(MountOptions opts, string dest, IReadOnlyDictionary<string, string> paths, bool pureV2, bool ownCgroupNs)
    {
        ulong flags = (ulong)(opts.Flags & (LibcConst.MS_NOSUID | LibcConst.MS_NODEV | LibcConst.MS_NOEXEC | LibcConst.MS_RELATIME | LibcConst.MS_RDONLY));
        string hex = flags.ToString("x", CultureInfo.InvariantCulture);
        bool unifiedOnly = paths.Count == 0 || (paths.Count == 1 && paths.ContainsKey("") && pureV2);
        if (unifiedOnly && ownCgroupNs)
        {
            // As CgroupMount with a cgroup namespace: a fresh cgroup2 mount, made in the container's own
            // namespace, shows its cgroup as "/".
            yield return ("fresh", $"cgroup2 cgroup2 {hex} - {dest}");
            yield break;
        }
        if (unifiedOnly)
        {
            if (paths.ContainsKey("")) yield return ("cgbind", $"{hex} - {dest}");
            yield break;
        }
        // v1 / hybrid: a new tmpfs in place of the template's (one unmount for all its binds: each
        // unmount waits for an RCU grace period), then the container's own dir per hierarchy.
        const ulong tmpfsFlags = (ulong)(LibcConst.MS_NOSUID | LibcConst.MS_NODEV | LibcConst.MS_NOEXEC);
        var root = dest.TrimEnd('/');
        yield return ("cgtmpfs", $"{tmpfsFlags.ToString("x", CultureInfo.InvariantCulture)} {root}");
        var done = new HashSet<string>();
        foreach (var (key, hostPath) in paths.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!hostPath.StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal)) continue;
            var hierarchy = hostPath["/sys/fs/cgroup/".Length..].Split('/')[0];
            if (!done.Add(hierarchy)) continue;
            yield return ("cgbind", $"{hex} {(key.Length == 0 ? "-" : key)} {root}/{hierarchy}");
            // cpu,cpuacct is also reachable as cpu and cpuacct (CgroupMount: runc's symlinks).
            if (hierarchy.Contains(','))
                foreach (var alias in hierarchy.Split(','))
                    yield return ("cglink", $"{hierarchy} {root}/{alias}");
        }
        if ((opts.Flags & LibcConst.MS_RDONLY) != 0) yield return ("cgro", root);
    }

    /// <summary>Mounts a container gets its own instance of; /dev keeps the template's (its device nodes).</summary>
    private static bool Refreshed(Mount m, List<Mount> mounts, bool ownPid)
    {
        var opts = MountOptions.Parse(m.Options);
        if (opts.IsBind || m.Type == "bind") return false;
        return m.Type switch
        {
            "proc" => ownPid,
            "tmpfs" => Dest(m) != "/dev",
            "devpts" or "mqueue" or "cgroup" or "cgroup2" => true,
            _ => false,
        };
    }

    private static string Dest(Mount m) => m.Destination.StartsWith('/') ? m.Destination.TrimEnd('/') : "/" + m.Destination.TrimEnd('/');

    private static bool Under(string path, string dir)
    {
        var p = path.StartsWith('/') ? path : "/" + path;
        return p.StartsWith(dir.TrimEnd('/') + "/", StringComparison.Ordinal);
    }
}
