namespace Rdmarun.Integration.Tests;

/// <summary>
/// Everything a container can leave on the host after `delete --force`: its state dir, a cgroup
/// dir in any hierarchy, a mount under its bundle, a process in its cgroup or running its
/// marker, and any process's cwd, root or open fd under the bundle (which holds the state root).
/// </summary>
public static class LeakCheck
{
    /// <summary>The leaks found; retried for a few seconds because killed processes take a moment to exit.</summary>
    public static List<string> Find(Bundle b, string id, params string[] markers) => Find(b.Dir, b.Runtime.Root, [id], markers);

    /// <summary>Leaks of several containers of one bundle (state root under the bundle), one /proc scan per try.</summary>
    public static List<string> Find(string bundleDir, string root, IReadOnlyCollection<string> ids, params string[] markers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var leaks = FindOnce(bundleDir, root, ids, markers);
            if (leaks.Count == 0 || DateTime.UtcNow > deadline) return leaks;
            Thread.Sleep(50);
        }
    }

    public static List<string> FindOnce(string bundleDir, string root, IReadOnlyCollection<string> ids, string[] markers)
    {
        var leaks = new List<string>();
        foreach (var id in ids)
        {
            if (Directory.Exists(Path.Combine(root, id))) leaks.Add($"state dir {Path.Combine(root, id)}");
            leaks.AddRange(HostTraces.CgroupDirs(id).Select(d => $"cgroup {d}"));
        }
        leaks.AddRange(File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(bundleDir)).Select(l => $"mount {l}"));
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid) || pid == Environment.ProcessId) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) continue; // exited, only its pid remains
                var what = $"process {pid} ({File.ReadAllText(Path.Combine(d, "comm")).Trim()})";
                var cgroups = File.ReadAllLines(Path.Combine(d, "cgroup"));
                foreach (var id in ids)
                    if (cgroups.Any(l => l.EndsWith("/" + id) || l.Contains("/" + id + "/"))) leaks.Add($"{what} in the cgroup of {id}");
                var cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                foreach (var m in markers) if (cmd.Contains(m)) leaks.Add($"{what} running {cmd}");
                foreach (var link in new[] { "cwd", "root" })
                    if (Target(Path.Combine(d, link)) is { } t && t.StartsWith(bundleDir)) leaks.Add($"{what} has its {link} at {t}");
                foreach (var fd in Directory.GetFiles(Path.Combine(d, "fd")))
                    if (Target(fd) is { } t && (t.StartsWith(bundleDir) || t.StartsWith(root))) leaks.Add($"{what} holds fd {Path.GetFileName(fd)} on {t}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return leaks;
    }

    private static string? Target(string link)
    {
        try { return new FileInfo(link).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
