using System.Diagnostics;

namespace Rdmarun.Cgroups.Tests.Host;

/// <summary>
/// A real container cgroup for one test, at a relative cgroupsPath (so under this test process's own
/// cgroups, which keeps the children inside whatever accounting the test runner is under).
/// Kills and destroys everything on dispose.
/// </summary>
public sealed class HostCgroup : IDisposable
{
    public ICgroupManager Manager { get; }
    public CgroupSetup Setup { get; } = CgroupSetup.Detect();
    private readonly List<Process> _children = [];

    public HostCgroup()
    {
        Manager = CgroupManagerFactory.Create("rdmarun-test-" + Guid.NewGuid().ToString("N")[..12], "unused", Setup, rootless: false);
    }

    /// <summary>Starts a child (stdin/stdout/stderr redirected) that is not yet in the cgroup.</summary>
    public Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _children.Add(p);
        return p;
    }

    public static string ProcState(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("State:")).Split('\t', 2)[1];

    public void Dispose()
    {
        try { if (Manager.Exists()) { Manager.Thaw(); } } catch (CgroupException) { }
        try { if (Manager.Exists()) Manager.Kill(9); } catch (CgroupException) { }
        foreach (var p in _children)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        Manager.Destroy();
    }
}
