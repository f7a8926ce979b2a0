using System.Text.RegularExpressions;
using Rdmarun.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `&lt;root&gt;/.launch/` (LAUNCH_TEMPLATE.md "Layout"): where templates live, how one is torn
/// down (by a replacing publisher, a failed publish, `launch --drop-templates` and the garbage
/// collection at publish time), and that collection. The C guard tears down idle templates the
/// same way: rename out of the way first, so no rank can open a half-removed template.
/// </summary>
public sealed partial class LaunchTemplateStore
{
    public const string DirName = ".launch";

    public string Dir { get; }

    public LaunchTemplateStore(string root) => Dir = Path.Combine(Path.GetFullPath(root), DirName);

    [GeneratedRegex("^[0-9a-f]{16}$")]
    public static partial Regex KeyPattern();

    [GeneratedRegex(@"^([0-9a-f]{16})\.tmp-([0-9]+)$")]
    private static partial Regex TmpPattern();

    [GeneratedRegex(@"^\.dead-([0-9a-f]{16})-([0-9]+)")]
    private static partial Regex DeadPattern();

    public string DirOf(string key) => Path.Combine(Dir, key);
    public string LockOf(string key) => Path.Combine(Dir, key + ".lock");
    public string TmpOf(string key, int pid) => Path.Combine(Dir, $"{key}.tmp-{pid}");

    /// <summary>The template cgroup's name in each hierarchy (under the publisher's parent cgroup, as a container's).</summary>
    public static string CgroupName(string key) => $"launch-template-{key}";

    /// <summary>Creates `.launch` (0700) as a private mount of itself; serialised by a lock on the directory, so two publishers bind it once.</summary>
    public void EnsureCreated()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Dir)!);
        if (Libc.mkdir(Dir, Convert.ToInt32("700", 8)) < 0 && Libc.Errno != LibcConst.EEXIST)
            throw new SyscallException($"create {Dir}", Libc.Errno);
        if (new DirectoryInfo(Dir).LinkTarget is not null) throw new RuntimeError($"launch template directory {Dir} is a symbolic link");
        using var dirLock = LaunchTemplateLock.TryExclusive(Dir, create: false, wait: true)
            ?? throw new RuntimeError($"launch template directory {Dir} vanished");
        // Rootless templates bind nothing here (their guard holds the namespaces), and could not.
        if (Libc.geteuid() == 0) LaunchTemplateMounts.MakePrivate(Dir);
    }

    /// <summary>
    /// Tears down the template (or half-built temp dir) <paramref name="dir"/> of <paramref name="key"/>:
    /// kills its guard if asked and still alive, renames it to `.dead-KEY-PID`, detaches `mnt`, removes
    /// its cgroups (from its `template`, else <paramref name="cgroupPaths"/>) unless
    /// <paramref name="destroyCgroup"/> is false (fast ranks still run in children of it), removes the
    /// files. Problems are added to <paramref name="problems"/>; false when someone else got there first.
    /// </summary>
    public bool Teardown(string dir, string key, IReadOnlyDictionary<string, string>? cgroupPaths, bool killGuard,
        bool destroyCgroup, List<string> problems)
    {
        var summary = LaunchTemplateFile.Read(Path.Combine(dir, "template"));
        if (killGuard && summary is { GuardPid: > 0 } s && ProcStat.IsAlive(s.GuardPid, s.GuardStartTime))
            Libc.kill(s.GuardPid, LibcConst.SIGKILL);
        var dead = dir;
        if (!DeadPattern().IsMatch(Path.GetFileName(dir)))
        {
            dead = FreeDeadName(key);
            try { Directory.Move(dir, dead); }
            catch (DirectoryNotFoundException) { return false; } // the guard or another rdmarun took it
            catch (IOException e) { problems.Add($"rename {dir} to {dead}: {e.Message}"); return false; }
        }
        var paths = summary is { CgroupPaths.Count: > 0 } ? summary.CgroupPaths : cgroupPaths;
        Try(problems, $"unmount {dead}/mnt", () => LaunchTemplateMounts.Detach(Path.Combine(dead, "mnt")));
        if (destroyCgroup && paths is { Count: > 0 })
            Try(problems, $"remove the template cgroup of {key}", () => CgroupManagerFactory.Load(paths).Destroy());
        Try(problems, $"remove {dead}", () => Directory.Delete(dead, recursive: true));
        return true;
    }

    private string FreeDeadName(string key)
    {
        var name = Path.Combine(Dir, $".dead-{key}-{Environment.ProcessId}");
        for (int n = 1; Directory.Exists(name); n++) name = Path.Combine(Dir, $".dead-{key}-{Environment.ProcessId}.{n}");
        return name;
    }

    /// <summary>
    /// At publish time: removes templates whose guard died or whose bundle's config.json is gone,
    /// and what a killed publisher or teardown left (`KEY.tmp-PID`, `.dead-KEY-PID` of a dead PID).
    /// Skips the key being published, anything another publisher holds, and templates a fast rank
    /// still uses (its shared lock on `inuse`).
    /// </summary>
    public void CollectGarbage(string ownKey, List<string> problems)
    {
        foreach (var dir in Entries())
        {
            var name = Path.GetFileName(dir);
            if (KeyPattern().IsMatch(name))
            {
                if (name == ownKey) continue;
                var s = LaunchTemplateFile.Read(Path.Combine(dir, "template"));
                if (s is null)
                {
                    // No template: its publisher is still at work (holding the lock) or was killed.
                    using var publisherGone = LaunchTemplateLock.TryExclusive(LockOf(name), create: true);
                    if (publisherGone is not null) Teardown(dir, name, CgroupPathsOf(name), killGuard: false, destroyCgroup: true, problems);
                    continue;
                }
                bool guardAlive = ProcStat.IsAlive(s.GuardPid, s.GuardStartTime);
                bool bundleGone = s.Bundle is not null && !File.Exists(Path.Combine(s.Bundle, "config.json"));
                if (guardAlive && !bundleGone) continue;
                using var keyLock = LaunchTemplateLock.TryExclusive(LockOf(name), create: true);
                if (keyLock is null) continue;
                using var inuse = LaunchTemplateLock.TryExclusive(Path.Combine(dir, "inuse"), create: false);
                if (inuse is null) continue;
                Teardown(dir, name, null, killGuard: true, destroyCgroup: true, problems);
            }
            else if (Leftover(name) is { } key && key != ownKey)
            {
                using var keyLock = LaunchTemplateLock.TryExclusive(LockOf(key), create: true);
                if (keyLock is null) continue;
                Teardown(dir, key, GuessedCgroupPaths(key), killGuard: false, destroyCgroup: true, problems);
            }
        }
    }

    /// <summary>`launch --drop-templates`: every template and leftover, then `.launch` itself.</summary>
    public void DropAll(List<string> problems)
    {
        if (!Directory.Exists(Dir)) return;
        foreach (var dir in Entries())
        {
            var name = Path.GetFileName(dir);
            var key = KeyPattern().IsMatch(name) ? name : TmpPattern().Match(name) is { Success: true } t ? t.Groups[1].Value
                : DeadPattern().Match(name) is { Success: true } d ? d.Groups[1].Value : null;
            if (key is null) continue;
            // Waits for a publisher of this key to finish: its template is then removed too.
            using var keyLock = LaunchTemplateLock.TryExclusive(LockOf(key), create: true, wait: true);
            // Cgroups from `template`; else (publisher killed before writing it) where it would have put them.
            Teardown(dir, key, KeyPattern().IsMatch(name) ? CgroupPathsOf(key) : GuessedCgroupPaths(key), killGuard: true, destroyCgroup: true, problems);
        }
        // Stacked binds (two publishers racing before the lock existed) come off one by one.
        for (int i = 0; i < 16 && LaunchTemplateMounts.IsMountPoint(Dir); i++)
            Try(problems, $"unmount {Dir}", () => LaunchTemplateMounts.Detach(Dir));
        Try(problems, $"remove {Dir}", () => Directory.Delete(Dir, recursive: true));
    }

    private IEnumerable<string> Entries() =>
        Directory.Exists(Dir) ? Directory.GetDirectories(Dir) : [];

    /// <summary>The key of a temp or dead directory whose process is gone.</summary>
    private static string? Leftover(string name)
    {
        var m = TmpPattern().Match(name);
        if (!m.Success) m = DeadPattern().Match(name);
        if (!m.Success || !int.TryParse(m.Groups[2].Value, out int pid)) return null;
        return ProcStat.Read(pid) is { State: not ('Z' or 'X') } ? null : m.Groups[1].Value;
    }

    /// <summary>
    /// A temp dir has no `template` naming its cgroups: they are where this process would put them,
    /// unless a template of that key owns that very cgroup now.
    /// </summary>
    private Dictionary<string, string>? GuessedCgroupPaths(string key) =>
        Directory.Exists(DirOf(key)) ? null : CgroupPathsOf(key);

    /// <summary>The template cgroup of <paramref name="key"/> as this process would create it (for a directory without `template`).</summary>
    public Dictionary<string, string>? CgroupPathsOf(string key)
    {
        try { return new(CgroupManagerFactory.Create(null, CgroupName(key), CgroupSetup.Detect(), rootless: false).Paths); }
        catch (CgroupException) { return null; }
    }

    private static void Try(List<string> problems, string what, Action a)
    {
        try { a(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SyscallException or CgroupException or RuntimeError)
        {
            problems.Add($"{what}: {e.Message}");
        }
    }
}
