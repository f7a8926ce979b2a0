namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.unified: raw cgroup v2 files (misc.max, memory.oom.group, ...).</summary>
public static class UnifiedController
{
    public static bool Requested(Dictionary<string, string>? u) => u is { Count: > 0 };

    public static void Set(string dir, Dictionary<string, string> values)
    {
        foreach (var (key, value) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // The key names a file in this cgroup only: no path separators, no way out of the directory.
            if (key.Length == 0 || key.Contains('/') || key.Contains("..") || key.Contains('\0'))
                throw new CgroupException($"cgroup: unified resource \"{key}\": invalid file name");
            if (!CgroupFile.Exists(dir, key))
                throw new CgroupException($"cgroup: unified resource \"{key}\": no such file in {dir}");
            CgroupFile.Write(dir, key, value);
        }
    }
}
