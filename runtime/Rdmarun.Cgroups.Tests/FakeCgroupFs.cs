namespace Rdmarun.Cgroups.Tests;

/// <summary>A temp directory laid out like /sys/fs/cgroup, with control files as regular files.</summary>
public sealed class FakeCgroupFs : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("rdmarun-cgfake-").FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Creates <paramref name="relative"/> under the root with the given files (empty unless content given).</summary>
    public string Dir(string relative, params string[] files)
    {
        var dir = Path.Combine(Root, relative.TrimStart('/'));
        Directory.CreateDirectory(dir);
        foreach (var f in files) File.WriteAllText(Path.Combine(dir, f), "");
        return dir;
    }

    public static void Put(string dir, string file, string content) => File.WriteAllText(Path.Combine(dir, file), content);

    public static string Get(string dir, string file) => File.ReadAllText(Path.Combine(dir, file));

    /// <summary>mountinfo lines for v1 hierarchies under this root ("cpu,cpuacct" style co-mounts allowed).</summary>
    public string V1MountInfo(params string[] hierarchies) =>
        string.Join('\n', hierarchies.Select((h, i) =>
            $"{31 + i} 30 0:{28 + i} / {Root}/{h} rw,nosuid,nodev,noexec,relatime shared:{10 + i} - cgroup cgroup rw,{h}"))
        + "\n";

    public string UnifiedMountInfo(string at) =>
        $"60 30 0:60 / {Root}{at} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";
}
