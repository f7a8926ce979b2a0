namespace Rdmarun.Cgroups.Systemd;

/// <summary>
/// The systemd driver's linux.cgroupsPath, "slice:prefix:name" (runc's convention): the unit is
/// "prefix-name.scope" (or "name" itself when it ends in ".slice") inside the slice.
/// </summary>
public sealed record SystemdCgroupPath(string Slice, string Unit)
{
    public static SystemdCgroupPath Parse(string? cgroupsPath, string containerId, bool rootless)
    {
        var defaultSlice = rootless ? "user.slice" : "system.slice";
        if (string.IsNullOrEmpty(cgroupsPath)) return new(defaultSlice, $"rdmarun-{containerId}.scope");
        var parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new CgroupException($"cgroup: invalid systemd cgroupsPath \"{cgroupsPath}\": expected \"slice:prefix:name\"");
        var (slice, prefix, name) = (parts[0], parts[1], parts[2]);
        if (slice.Length == 0) slice = defaultSlice;
        if (!slice.EndsWith(".slice") || slice.Contains('/'))
            throw new CgroupException($"cgroup: invalid systemd slice \"{slice}\" in cgroupsPath \"{cgroupsPath}\": must be a name ending in .slice");
        if (name.Length == 0) name = containerId;
        var unit = name.EndsWith(".slice") ? name : prefix.Length == 0 ? $"{name}.scope" : $"{prefix}-{name}.scope";
        return new(slice, unit);
    }

    /// <summary>The cgroup directory of a slice relative to the hierarchy root: "a-b.slice" → "a.slice/a-b.slice".</summary>
    public static string ExpandSlice(string slice)
    {
        if (slice == "-.slice") return "";
        var name = slice[..^".slice".Length];
        if (name.Length == 0 || name.StartsWith('-') || name.EndsWith('-') || name.Contains("--"))
            throw new CgroupException($"cgroup: invalid systemd slice name \"{slice}\"");
        var parts = name.Split('-');
        var dirs = new List<string>();
        for (int i = 1; i <= parts.Length; i++) dirs.Add(string.Join('-', parts[..i]) + ".slice");
        return string.Join('/', dirs);
    }

    /// <summary>The unit's cgroup relative to a hierarchy root, e.g. "system.slice/rdmarun-c1.scope".</summary>
    public string RelativeCgroup => Unit.EndsWith(".slice") ? ExpandSlice(Unit) : CombineNonEmpty(ExpandSlice(Slice), Unit);

    private static string CombineNonEmpty(string a, string b) => a.Length == 0 ? b : $"{a}/{b}";
}
