namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>Captures cgroup file writes as "file=value" (file relative to <c>root</c>).</summary>
public static class Recording
{
    public static List<string> Capture(string root, Action action)
    {
        var log = new List<(string Path, string Value)>();
        CgroupFile.Recorder.Value = log;
        try { action(); }
        finally { CgroupFile.Recorder.Value = null; }
        return log.Select(w => $"{Path.GetRelativePath(root, w.Path)}={w.Value}").ToList();
    }
}
