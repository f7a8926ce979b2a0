using System.Runtime.InteropServices;

namespace Rdmarun.Cgroups;

/// <summary>Directory-level operations on one cgroup subtree.</summary>
public static class CgroupTree
{
    /// <summary>mkdir -p; returns the directories it created, top-down.</summary>
    public static List<string> Create(string dir)
    {
        var created = new List<string>();
        var missing = new Stack<string>();
        for (var d = dir.TrimEnd('/'); d.Length > 0 && !Directory.Exists(d); d = Path.GetDirectoryName(d) ?? "") missing.Push(d);
        while (missing.Count > 0)
        {
            var d = missing.Pop();
            if (Native.Mkdir(d, 0x1ed /* 0755 */) < 0)
            {
                int e = Marshal.GetLastPInvokeError();
                if (e == Native.EEXIST) continue;
                throw new CgroupException($"cgroup: mkdir {d}: {Native.ErrnoText(e)}", e);
            }
            created.Add(d);
        }
        return created;
    }

    /// <summary>Reads cgroup.procs (processes in this cgroup only).</summary>
    public static List<int> ReadProcs(string dir)
    {
        var result = new List<int>();
        var text = CgroupFile.TryRead(dir, "cgroup.procs");
        if (text is null) return result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, out var pid)) result.Add(pid);
        return result;
    }

    /// <summary>cgroup.procs of the directory and every descendant.</summary>
    public static List<int> ReadProcsRecursive(string dir)
    {
        var result = new List<int>();
        if (!Directory.Exists(dir)) return result;
        result.AddRange(ReadProcs(dir));
        foreach (var child in SafeSubdirs(dir)) result.AddRange(ReadProcsRecursive(child));
        return result;
    }

    /// <summary>
    /// rmdir depth-first (the workload may have made sub-cgroups). EBUSY is retried for a few seconds
    /// while the only tasks left are exiting (a killed process leaves its cgroup only once reaped);
    /// processes that still look alive get less time (a just-killed one may not have run its exit yet),
    /// and the error names them. One <see cref="RemoveDeadline"/> is shared by all directories of a container.
    /// </summary>
    public static void Remove(string dir) => Remove(dir, new RemoveDeadline());

    public static void Remove(string dir, RemoveDeadline deadline)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var child in SafeSubdirs(dir)) Remove(child, deadline);
        int delayMs = 10;
        while (true)
        {
            if (Native.Rmdir(dir) == 0) return;
            int e = Marshal.GetLastPInvokeError();
            if (e == Native.ENOENT) return;
            var live = ReadProcs(dir).Where(IsRunning).ToList();
            var now = DateTime.UtcNow;
            if (e != Native.EBUSY || now > (live.Count > 0 ? deadline.WithLiveProcesses : deadline.WithExitingProcesses))
            {
                var who = live.Count > 0 ? $" (processes still inside: {string.Join(' ', live.Take(10))})" : "";
                throw new CgroupException($"cgroup: rmdir {dir}: {Native.ErrnoText(e)}{who}", e);
            }
            Thread.Sleep(delayMs);
            delayMs = Math.Min(delayMs * 2, 200);
        }
    }

    /// <summary>True unless the process is gone or a zombie (state Z/X in /proc/pid/stat).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }

    private static IEnumerable<string> SafeSubdirs(string dir)
    {
        try { return Directory.GetDirectories(dir); }
        catch (DirectoryNotFoundException) { return []; }
    }

    /// <summary>Sends <paramref name="signal"/> to each pid; ESRCH (already exited) is not an error.</summary>
    public static void Signal(IEnumerable<int> pids, int signal)
    {
        foreach (var pid in pids)
        {
            if (Native.Kill(pid, signal) == 0) continue;
            int e = Marshal.GetLastPInvokeError();
            if (e != Native.ESRCH) throw new CgroupException($"cgroup: kill {pid} with signal {signal}: {Native.ErrnoText(e)}", e);
        }
    }
}

/// <summary>How long <see cref="CgroupTree.Remove(string, RemoveDeadline)"/> retries EBUSY, from creation.</summary>
public sealed class RemoveDeadline
{
    public DateTime WithLiveProcesses { get; } = DateTime.UtcNow.AddSeconds(1);
    public DateTime WithExitingProcesses { get; } = DateTime.UtcNow.AddSeconds(5);
}
