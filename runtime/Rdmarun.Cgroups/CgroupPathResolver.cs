namespace Rdmarun.Cgroups;

/// <summary>
/// Turns the spec's cgroupsPath into directories, with runc's cgroupfs semantics: an absolute path is
/// relative to each hierarchy's mount point; a relative path (or, when empty, the container id) is
/// placed under the caller's own cgroup in that hierarchy (for pure cgroup2: under its parent, because
/// the caller's own cgroup holds processes and so cannot enable controllers for children).
/// </summary>
public static class CgroupPathResolver
{
    /// <summary>runc's CleanPath: lexical clean, and a relative path can never climb out with "..".</summary>
    public static string CleanPath(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "";
        bool absolute = path.StartsWith('/');
        var parts = new List<string>();
        foreach (var p in path.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        var joined = string.Join('/', parts);
        return absolute ? "/" + joined : (joined.Length == 0 ? "" : joined);
    }

    /// <summary>The path inside each hierarchy: cleaned cgroupsPath, or the container id when empty.</summary>
    public static string InnerPath(string? cgroupsPath, string containerId)
    {
        var inner = CleanPath(cgroupsPath);
        if (inner.Length == 0) inner = CleanPath(containerId);
        if (inner.Length == 0 || inner == "/") throw new CgroupException("cgroup: cannot use the cgroup root as a container cgroup");
        return inner;
    }

    /// <summary>Directory for one mount; <paramref name="ownCgroup"/> is the caller's cgroup in it.</summary>
    public static string Resolve(CgroupMount mount, string inner, string? ownCgroup, bool useParentOfOwn)
    {
        if (inner.StartsWith('/')) return Join(mount.MountPoint, inner);
        var own = RelativeTo(mount.Root, ownCgroup ?? "/");
        if (useParentOfOwn) own = ParentOf(own);
        return Join(Join(mount.MountPoint, own), inner);
    }

    private static string RelativeTo(string root, string path)
    {
        root = CleanPath(root); path = CleanPath(path);
        if (root == "/" || root.Length == 0) return path;
        if (path == root) return "/";
        return path.StartsWith(root + "/", StringComparison.Ordinal) ? path[root.Length..] : path;
    }

    private static string ParentOf(string p)
    {
        int i = p.TrimEnd('/').LastIndexOf('/');
        return i <= 0 ? "/" : p[..i];
    }

    private static string Join(string a, string b)
    {
        b = b.Trim('/');
        return b.Length == 0 ? a : a.TrimEnd('/') + "/" + b;
    }
}
