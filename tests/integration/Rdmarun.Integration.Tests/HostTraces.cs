namespace Rdmarun.Integration.Tests;

/// <summary>What a container may leave on the host: cgroup dirs, mounts, processes.</summary>
public static class HostTraces
{
    public static List<string> CgroupDirs(string id)
    {
        var found = new List<string>();
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            try
            {
                found.AddRange(Directory.EnumerateDirectories(hierarchy, id, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public static int MountCount() => File.ReadAllLines("/proc/self/mountinfo").Length;

    /// <summary>Processes whose cmdline mentions s (e.g. a unique marker in the container's args).</summary>
    public static List<int> ProcessesWith(string s)
    {
        var pids = new List<int>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(s)) pids.Add(pid);
            }
            catch (IOException) { }
        }
        return pids;
    }

    public static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;
}
