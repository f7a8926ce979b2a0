using System.Text.RegularExpressions;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// What launch and run templates leave under `&lt;root&gt;/.launch` (runtime/native/LAUNCH_TEMPLATE.md):
/// their keys, cgroups and guards, and the check that `launch --drop-templates` removes all of it.
/// </summary>
public static class TemplateStore
{
    public static readonly Regex KeyDir = new("^[0-9a-f]{16}$");

    public static string LaunchDir(Bundle b) => Path.Combine(b.Runtime.Root, ".launch");

    public static List<string> Keys(string launchDir) =>
        Directory.Exists(launchDir) ? Directory.GetDirectories(launchDir).Select(d => Path.GetFileName(d)).Where(n => KeyDir.IsMatch(n)).ToList() : [];

    /// <summary>The `template` file's lines (empty when there is none).</summary>
    public static string[] Lines(string launchDir, string key)
    {
        var file = Path.Combine(launchDir, key, "template");
        return File.Exists(file) ? File.ReadAllLines(file) : [];
    }

    /// <summary>The template cgroup dir of each hierarchy (`cgroup &lt;key&gt; &lt;dir&gt;` lines).</summary>
    public static List<string> CgroupDirs(string launchDir, string key) =>
        Lines(launchDir, key).Where(l => l.StartsWith("cgroup ")).Select(l => l.Split(' ', 3)[2]).ToList();

    /// <summary>`launch --drop-templates` succeeds and leaves nothing of any template that was there.</summary>
    public static void DropAndAssertNoTraces(Bundle b, string launchDir)
    {
        var keys = Keys(launchDir);
        Assert.Equal(0, b.Runtime.Run(b.Dir, "launch", "--drop-templates").ExitCode);
        foreach (var k in keys) AssertNoTraces(launchDir, k);
    }

    public static void AssertNoTraces(string launchDir, string key)
    {
        Assert.False(Directory.Exists(launchDir), $"{launchDir} is still there");
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(launchDir));
        Assert.Empty(HostTraces.CgroupDirs($"launch-template-{key}"));
    }

    /// <summary>Live processes started as a template guard for a directory under <paramref name="launchDir"/>.</summary>
    public static List<int> GuardsOf(string launchDir)
    {
        var found = new List<int>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid) || ProcStart(pid) is null) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(d, "environ")).Split('\0').Any(e => e.StartsWith("_RDMARUN_TEMPLATE_GUARD=" + launchDir + "/")))
                    found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Field 22 of /proc/PID/stat of a live (not zombie) process, else null.</summary>
    public static string? ProcStart(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var f = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return f[0] is "Z" or "X" ? null : f[19];
        }
        catch (IOException) { return null; }
    }

    /// <summary>Polls for up to ~5 s; the caller asserts the condition afterwards (no timed assertion).</summary>
    public static void WaitUntil(Func<bool> done)
    {
        for (int i = 0; i < 200 && !done(); i++) Thread.Sleep(25);
    }
}
