using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Lifecycle;

/// <summary>
/// Which `run` specs may become a run template and the `template` lines that say what each warm
/// container gets of its own (runtime/native/RUN_TEMPLATE.md).
/// </summary>
public class RunTemplateSpecTests
{
    /// <summary>What `rdmarun spec` writes on a cgroup v1 host (no cgroup namespace), with terminal off as Slurm sets it.</summary>
    private static Spec Default()
    {
        var spec = SpecDefaults.Create(rootless: false, cgroup2: false, hostUid: 0, hostGid: 0);
        spec.Process!.Terminal = false;
        return spec;
    }

    /// <summary>A hybrid host's template cgroup: cpu and cpuacct share a hierarchy, as on many distributions.</summary>
    private static readonly Dictionary<string, string> HybridPaths = new()
    {
        [""] = "/sys/fs/cgroup/unified/launch-template-k",
        ["cpu"] = "/sys/fs/cgroup/cpu,cpuacct/launch-template-k",
        ["cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/launch-template-k",
        ["memory"] = "/sys/fs/cgroup/memory/job/launch-template-k",
        ["name=systemd"] = "/sys/fs/cgroup/systemd/launch-template-k",
        ["pids"] = "/sys/fs/cgroup/pids/launch-template-k",
    };

    private static List<string> Text(Spec spec, Dictionary<string, string> paths, bool pureV2) =>
        RunTemplateSpec.Lines(spec, paths, pureV2).Select(l => l.Value is null ? l.Directive : $"{l.Directive} {l.Value}").ToList();

    [Fact]
    public void The_default_spec_is_eligible()
    {
        Assert.Null(RunTemplateSpec.Reason(Default(), systemdCgroup: false, rootless: false));
    }

    [Fact]
    public void The_default_spec_gets_fresh_proc_tmpfs_devpts_mqueue_and_one_cgroup_bind_per_hierarchy()
    {
        var lines = Text(Default(), HybridPaths, pureV2: false);
        string[] expected =
        [
            "kind run",
            "newns 6c020000", // pid | net | ipc | uts | mount
            "hostname runc",
            "cwd /",
            "procfs 0 proc /proc", // flags, source (as mountinfo names it), target
            "fresh devpts devpts a newinstance,ptmxmode=0666,mode=0620,gid=5 /dev/pts", // nosuid | noexec
            "fresh tmpfs shm e mode=1777,size=65536k /dev/shm", // nosuid | nodev | noexec
            "fresh mqueue mqueue e - /dev/mqueue",
            "rdonly /proc/bus", "rdonly /proc/fs", "rdonly /proc/irq", "rdonly /proc/sys", "rdonly /proc/sysrq-trigger",
            // /sys/firmware is under sysfs, which stays the template's: masked there once
            "mask /proc/acpi", "mask /proc/asound", "mask /proc/kcore", "mask /proc/keys", "mask /proc/latency_stats",
            "mask /proc/timer_list", "mask /proc/timer_stats", "mask /proc/sched_debug", "mask /proc/scsi",
        ];
        Assert.Equal(expected, lines.Where(l => !l.StartsWith("cg")));
        // nosuid | nodev | noexec | relatime | ro; cpuacct shares cpu's hierarchy: one bind for both
        string[] binds =
        [
            "cgbind 20000f - /sys/fs/cgroup/unified",
            "cgbind 20000f cpu /sys/fs/cgroup/cpu,cpuacct",
            "cgbind 20000f memory /sys/fs/cgroup/memory",
            "cgbind 20000f name=systemd /sys/fs/cgroup/systemd",
            "cgbind 20000f pids /sys/fs/cgroup/pids",
        ];
        Assert.Equal(binds, lines.Where(l => l.StartsWith("cgbind ")));
    }

    [Fact]
    public void On_a_pure_v2_host_the_whole_cgroup_mount_is_the_containers_dir()
    {
        var lines = Text(Default(), new() { [""] = "/sys/fs/cgroup/launch-template-k" }, pureV2: true);
        Assert.Equal(["cgbind 20000f - /sys/fs/cgroup"], lines.Where(l => l.StartsWith("cgbind ")));
    }

    /// <summary>What `rdmarun spec` (and `runc spec`) write on a cgroup v2 host: a cgroup namespace of the container's own.</summary>
    private static Spec V2Default()
    {
        var spec = SpecDefaults.Create(rootless: false, cgroup2: true, hostUid: 0, hostGid: 0);
        spec.Process!.Terminal = false;
        return spec;
    }

    [Fact]
    public void A_cgroup_namespace_is_served_on_a_pure_v2_host_only_also_rootless()
    {
        var spec = V2Default();
        Assert.Contains(spec.Linux!.Namespaces!, n => n.Type == LinuxNamespaceType.Cgroup);
        Assert.Null(RunTemplateSpec.Reason(spec, systemdCgroup: false, rootless: false, pureV2: true));
        Assert.Equal("the spec has a cgroup namespace of its own (served on cgroup v2 hosts only)",
            RunTemplateSpec.Reason(spec, systemdCgroup: false, rootless: false, pureV2: false));
        var rootless = SpecDefaults.Create(rootless: true, cgroup2: true, hostUid: 1000, hostGid: 1000);
        rootless.Process!.Terminal = false;
        Assert.Null(RunTemplateSpec.Reason(rootless, systemdCgroup: false, rootless: true, pureV2: true));
        // No cgroup of the template's own (rootless): the fresh cgroup2 mount is all the container needs.
        var lines = Text(rootless, [], pureV2: true);
        Assert.Equal(["fresh cgroup2 cgroup2 20000f - /sys/fs/cgroup"], lines.Where(l => l.Contains("/sys/fs/cgroup")));
    }

    [Fact]
    public void With_a_cgroup_namespace_the_container_mounts_a_fresh_cgroup2_in_it()
    {
        var lines = Text(V2Default(), new() { [""] = "/sys/fs/cgroup/launch-template-k" }, pureV2: true);
        Assert.Contains("newns 6e020000", lines); // pid | net | ipc | uts | cgroup | mount
        // As CgroupMount with a cgroup namespace: nosuid | nodev | noexec | relatime | ro, no bind of the dir
        Assert.Equal(["fresh cgroup2 cgroup2 20000f - /sys/fs/cgroup"], lines.Where(l => l.Contains("/sys/fs/cgroup")));
    }

    [Fact]
    public void Without_a_pid_namespace_proc_and_its_paths_stay_the_templates()
    {
        var spec = Default();
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Pid);
        spec.Hostname = "";
        spec.Domainname = "example.org";
        spec.Process!.Cwd = "/work";
        var lines = Text(spec, HybridPaths, pureV2: false);
        Assert.Contains("newns 4c020000", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("procfs ") || l.StartsWith("rdonly ") || l.StartsWith("mask ") || l.StartsWith("hostname "));
        Assert.Contains("domainname example.org", lines);
        Assert.Contains("cwd /work", lines);
    }

    [Fact]
    public void A_spec_tmpfs_at_tmp_is_fresh_but_the_dev_tmpfs_with_the_device_nodes_is_not()
    {
        var spec = Default();
        spec.Mounts!.Add(new Mount { Destination = "/tmp/", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "nodev"] });
        var lines = Text(spec, HybridPaths, pureV2: false);
        Assert.Contains("fresh tmpfs tmpfs 6 - /tmp", lines);
        Assert.DoesNotContain(lines, l => l.EndsWith(" /dev"));
    }

    [Fact]
    public void A_newline_in_a_value_is_refused()
    {
        var spec = Default();
        spec.Hostname = "a\nversion 2";
        Assert.Throws<RuntimeError>(() => RunTemplateSpec.Lines(spec, HybridPaths, false));
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "user namespace", "the spec has a user namespace of its own" },
        { "cgroup namespace", "the spec has a cgroup namespace of its own (served on cgroup v2 hosts only)" },
        { "time namespace", "the spec has a time namespace of its own" },
        { "joined network namespace", "the spec joins the network namespace /proc/1/ns/net" },
        { "no mount namespace", "the spec has no mount namespace of its own" },
        { "terminal", "process.terminal is true" },
        { "non-root user", "process.user is not uid 0, gid 0 without additional gids" },
        { "non-root group", "process.user is not uid 0, gid 0 without additional gids" },
        { "additional gids", "process.user is not uid 0, gid 0 without additional gids" },
        { "shared rootfs propagation", "linux.rootfsPropagation is shared (a container's own mounts would reach the template)" },
        { "rshared rootfs propagation", "linux.rootfsPropagation is shared (a container's own mounts would reach the template)" },
        { "mount propagation", "mount /data sets its propagation" },
        { "relative bind source", "mount /data has a source relative to the bundle" },
        { "tmpcopyup", "mount /tmp copies the image's files up" },
        { "mount below /dev/shm", "mount /dev/shm has mounts below it" },
        { "mount below /proc", "mount /proc has mounts below it" },
        { "procfs options", "mount /proc passes procfs options (hidepid=2)" },
        { "hook", "the spec has hooks" },
        { "memory limit", "linux.resources has limits besides device rules" },
        { "no process", "the spec has no process" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_spec_the_warm_path_cannot_reproduce_is_refused_with_its_reason(string what, string reason)
    {
        var spec = Default();
        var p = spec.Process!;
        var l = spec.Linux!;
        switch (what)
        {
            case "user namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "user" }); break;
            case "cgroup namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "cgroup" }); break;
            case "time namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "time" }); break;
            case "joined network namespace": l.Namespaces!.Single(n => n.Type == "network").Path = "/proc/1/ns/net"; break;
            case "no mount namespace": l.Namespaces!.RemoveAll(n => n.Type == "mount"); break;
            case "terminal": p.Terminal = true; break;
            case "non-root user": p.User = new User { UID = 1000, GID = 0 }; break;
            case "non-root group": p.User = new User { UID = 0, GID = 1000 }; break;
            case "additional gids": p.User = new User { UID = 0, GID = 0, AdditionalGids = [10] }; break;
            case "shared rootfs propagation": l.RootfsPropagation = "shared"; break;
            case "rshared rootfs propagation": l.RootfsPropagation = "rshared"; break;
            case "mount propagation": spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/srv", Options = ["rbind", "rslave"] }); break;
            case "relative bind source": spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "data", Options = ["rbind"] }); break;
            case "tmpcopyup": spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs", Options = ["tmpcopyup"] }); break;
            case "mount below /dev/shm": spec.Mounts!.Add(new Mount { Destination = "/dev/shm/x", Type = "bind", Source = "/srv", Options = ["bind"] }); break;
            case "mount below /proc": spec.Mounts!.Add(new Mount { Destination = "/proc/meminfo", Type = "bind", Source = "/var/lib/lxcfs/proc/meminfo", Options = ["bind"] }); break;
            case "procfs options": spec.Mounts!.Single(m => m.Type == "proc").Options = ["hidepid=2"]; break;
            case "hook": spec.Hooks = new OciSpec.Hooks { Prestart = [new Hook { Path = "/bin/true" }] }; break;
            case "memory limit": l.Resources!.Memory = new LinuxMemory { Limit = 1 << 30 }; break;
            case "no process": spec.Process = null; break;
            default: throw new ArgumentException(what);
        }
        Assert.Equal(reason, RunTemplateSpec.Reason(spec, systemdCgroup: false, rootless: false));
    }

    [Fact]
    public void An_absolute_bind_and_a_relative_root_are_allowed_and_systemd_cgroup_is_not()
    {
        var spec = Default();
        spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["rbind", "ro"] });
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.Null(RunTemplateSpec.Reason(spec, systemdCgroup: false, rootless: false));
        Assert.Equal("--systemd-cgroup", RunTemplateSpec.Reason(spec, systemdCgroup: true, rootless: false));
    }

    [Fact]
    public void A_user_namespace_is_the_templates_for_a_rootless_caller_only()
    {
        var spec = Default();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        Assert.Null(RunTemplateSpec.Reason(spec, systemdCgroup: false, rootless: true));
        Assert.Equal("the spec has a user namespace of its own", RunTemplateSpec.Reason(spec, systemdCgroup: false, rootless: false));
        var lines = Text(spec, HybridPaths, pureV2: false);
        Assert.True(lines.IndexOf("userns") is > 0 and var i && lines[i + 1] == "newns 7c020000", string.Join("\n", lines));
    }
}
