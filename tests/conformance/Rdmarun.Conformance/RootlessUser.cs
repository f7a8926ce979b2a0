namespace Rdmarun.Conformance;

/// <summary>A subordinate id range from /etc/subuid or /etc/subgid.</summary>
sealed record IdRange(long Start, long Count);

/// <summary>
/// The unprivileged host user that --rootless runs every runtime as (setpriv, the way Slurm or a
/// user's podman starts the runtime). What this user may do decides which cases run: a case that
/// needs more decides to skip by asking here, so each skip names the missing privilege.
/// </summary>
sealed class RootlessUser
{
    public required string Name { get; init; }
    public required int Uid { get; init; }
    public required int Gid { get; init; }
    public required string Home { get; init; }
    public IdRange? SubUids { get; init; }
    public IdRange? SubGids { get; init; }

    const string NewUidMap = "/usr/bin/newuidmap", NewGidMap = "/usr/bin/newgidmap";

    public static RootlessUser Resolve(string nameOrUid)
    {
        var entry = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f =>
            f.Length >= 7 && (f[0] == nameOrUid || f[2] == nameOrUid))
            ?? throw new ArgumentException($"--rootless: no user {nameOrUid} in /etc/passwd");
        if (entry[2] == "0")
            throw new ArgumentException($"--rootless: {nameOrUid} is root; rootless mode needs an unprivileged user");
        return new RootlessUser
        {
            Name = entry[0], Uid = int.Parse(entry[2]), Gid = int.Parse(entry[3]), Home = entry[5],
            SubUids = Range("/etc/subuid", entry[0], entry[2]), SubGids = Range("/etc/subgid", entry[0], entry[2]),
        };
    }

    static IdRange? Range(string file, string name, string uid)
    {
        if (!File.Exists(file))
            return null;
        foreach (var f in File.ReadLines(file).Select(l => l.Split(':')))
            if (f.Length == 3 && (f[0] == name || f[0] == uid) && long.TryParse(f[1], out long start) && long.TryParse(f[2], out long count) && count > 0)
                return new IdRange(start, count);
        return null;
    }

    /// <summary>
    /// Null when the user can map more than its own id (newuidmap/newgidmap are setuid root and it owns
    /// subordinate ranges), else why not: a single unprivileged mapping is all the kernel allows without them.
    /// </summary>
    public string? WhyNoSubordinateIds(long needed)
    {
        foreach (var helper in new[] { NewUidMap, NewGidMap })
            if (!File.Exists(helper) || (File.GetUnixFileMode(helper) & UnixFileMode.SetUser) == 0)
                return $"needs several id mappings: {helper} (package uidmap) is missing or not setuid";
        if (SubUids is null || SubUids.Count < needed)
            return $"needs several id mappings: {Name} has no /etc/subuid range of {needed} ids";
        if (SubGids is null || SubGids.Count < needed)
            return $"needs several id mappings: {Name} has no /etc/subgid range of {needed} ids";
        return null;
    }

    /// <summary>
    /// Null when the cgroup of <paramref name="controller"/> that the runtime starts in (the harness's own) is
    /// delegated to the user (writable by it, as systemd's Delegate=yes makes it on cgroup v2), else why not.
    /// </summary>
    public async Task<string?> WhyNoDelegatedCgroupAsync(string controller, string workDir)
    {
        string? dir = HostInfo.CgroupDir(System.Environment.ProcessId, controller);
        if (dir is null)
            return $"needs the {controller} cgroup controller, which this host does not mount";
        // The user must be able to make a child cgroup there and move processes into it.
        var r = await ProcessRunner.RunAsync(Wrap(["test", "-w", dir, "-a", "-w", Path.Combine(dir, "cgroup.procs")]), workDir, TimeScale.Of(TimeSpan.FromSeconds(10)));
        return r.ExitCode == 0 ? null : $"needs the {controller} cgroup delegated to {Name}; {dir} is not writable by it (no delegation here)";
    }

    /// <summary>The command as the user runs it: setpriv drops to the user's ids and groups, nothing else changes.</summary>
    public IReadOnlyList<string> Wrap(IReadOnlyList<string> command) =>
        ["setpriv", $"--reuid={Uid}", $"--regid={Gid}", "--init-groups", "--", .. command];

    /// <summary>The environment a login of this user would have that the runtimes look at.</summary>
    public Dictionary<string, string> Environment(string xdgRuntimeDir) => new()
    {
        ["XDG_RUNTIME_DIR"] = xdgRuntimeDir, ["HOME"] = Home, ["USER"] = Name, ["LOGNAME"] = Name,
    };

    /// <summary>chown -R: the user's own files, as a rootless user's bundle always is.</summary>
    public async Task ChownAsync(string path)
    {
        var r = await ProcessRunner.RunAsync(["chown", "-R", $"{Uid}:{Gid}", path], Path.GetDirectoryName(path)!, TimeScale.Of(TimeSpan.FromMinutes(1)));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"chown -R {Uid}:{Gid} {path} failed: {r.Stderr.Trim()}");
    }
}
