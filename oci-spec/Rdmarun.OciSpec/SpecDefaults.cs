namespace Rdmarun.OciSpec;

/// <summary>
/// The example config written by <c>spec</c>: the same document as <c>runc spec</c> (runc 1.1, including
/// ambient capabilities) and <c>runc spec --rootless</c>, with <see cref="SpecVersion.Current"/> as ociVersion.
/// </summary>
public static class SpecDefaults
{
    /// <summary>
    /// Default config for this host: rootless maps container root to the caller's effective uid/gid; a cgroup
    /// namespace is added on a cgroup v2 (unified) host, as runc does.
    /// </summary>
    public static Spec Create(bool rootless)
    {
        var (uid, gid) = CurrentIds();
        return Create(rootless, IsCgroup2Unified(), uid, gid);
    }

    /// <summary>Default config with host facts given explicitly (for tests and cross-host use).</summary>
    public static Spec Create(bool rootless, bool cgroup2, uint hostUid, uint hostGid)
    {
        string[] caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var spec = new Spec
        {
            Version = SpecVersion.Current,
            Process = new Process
            {
                Terminal = true,
                User = new User { UID = 0, GID = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities
                {
                    Bounding = [.. caps], Effective = [.. caps], Permitted = [.. caps], Ambient = [.. caps],
                },
                Rlimits = [new POSIXRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "runc",
            Mounts =
            [
                new() { Destination = "/proc", Type = "proc", Source = "proc" },
                new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new Linux
            {
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces =
                [
                    new() { Type = LinuxNamespaceType.Pid }, new() { Type = LinuxNamespaceType.Network },
                    new() { Type = LinuxNamespaceType.Ipc }, new() { Type = LinuxNamespaceType.Uts },
                    new() { Type = LinuxNamespaceType.Mount },
                ],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };
        if (cgroup2)
            spec.Linux.Namespaces.Add(new LinuxNamespace { Type = LinuxNamespaceType.Cgroup });
        if (rootless)
            MakeRootless(spec, hostUid, hostGid);
        return spec;
    }

    // Same edits as runc's ToRootless: no netns (an unprivileged user cannot configure one), a user
    // namespace mapping only the caller, sysfs bind-mounted (a new sysfs needs a netns), no uid=/gid=
    // mount options (those ids are unmapped), no cgroup device rules (not writable without privilege).
    static void MakeRootless(Spec spec, uint hostUid, uint hostGid)
    {
        var linux = spec.Linux!;
        linux.Namespaces = [.. linux.Namespaces!.Where(n => n.Type is not (LinuxNamespaceType.Network or LinuxNamespaceType.User)),
            new LinuxNamespace { Type = LinuxNamespaceType.User }];
        linux.UIDMappings = [new LinuxIDMapping { ContainerID = 0, HostID = hostUid, Size = 1 }];
        linux.GIDMappings = [new LinuxIDMapping { ContainerID = 0, HostID = hostGid, Size = 1 }];
        var mounts = new List<Mount>();
        foreach (var m in spec.Mounts!)
        {
            if (m.Destination.TrimEnd('/') == "/sys")
            {
                mounts.Add(new Mount { Destination = "/sys", Type = "none", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] });
                continue;
            }
            m.Options = m.Options?.Where(o => !o.StartsWith("uid=", StringComparison.Ordinal) && !o.StartsWith("gid=", StringComparison.Ordinal)).ToList();
            if (m.Options is { Count: 0 }) m.Options = null;
            mounts.Add(m);
        }
        spec.Mounts = mounts;
        linux.Resources = null;
    }

    /// <summary>True when /sys/fs/cgroup is a cgroup2 mount (the file cgroup.controllers only exists there).</summary>
    public static bool IsCgroup2Unified() => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    // Effective ids from /proc/self/status ("Uid:\treal\teffective\tsaved\tfs") keep this library free of P/Invoke.
    static (uint Uid, uint Gid) CurrentIds()
    {
        uint uid = 0, gid = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal)) uid = Effective(line);
                else if (line.StartsWith("Gid:", StringComparison.Ordinal)) gid = Effective(line);
            }
        }
        catch (IOException) { }
        return (uid, gid);

        static uint Effective(string line)
        {
            var f = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return f.Length > 2 && uint.TryParse(f[2], out uint v) ? v : 0;
        }
    }
}
