using System.Text;

namespace Rdmarun.OciSpec.Tests;

public class ValidatorTests
{
    // A minimal valid spec; each test breaks one thing in it.
    const string Base = """
    {"ociVersion":"1.2.0","root":{"path":"rootfs"},
     "process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},
     "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},{"type":"network"}]}}
    """;

    static Spec Valid() => SpecJson.ParseSpec(Encoding.UTF8.GetBytes(Base));

    static IReadOnlyList<SpecProblem> Errors(Spec s) =>
        SpecValidator.Validate(s, null).Where(p => p.Severity == ProblemSeverity.Error).ToList();

    static void AssertOnlyError(Spec s, string path, string message)
    {
        var all = SpecValidator.Validate(s, null);
        var e = Assert.Single(all);
        Assert.Equal(ProblemSeverity.Error, e.Severity);
        Assert.Equal(path, e.Path);
        Assert.Equal(message, e.Message);
    }

    static void AssertOnlyWarning(Spec s, string path, string message)
    {
        var w = Assert.Single(SpecValidator.Validate(s, null));
        Assert.Equal(ProblemSeverity.Warning, w.Severity);
        Assert.Equal(path, w.Path);
        Assert.Equal(message, w.Message);
    }

    [Theory]
    [InlineData("runc-spec-default.json")]
    [InlineData("runc-spec-rootless.json")]
    [InlineData("docker-like.json")]
    public void Real_configs_are_valid(string name)
    {
        Assert.Empty(SpecValidator.Validate(SpecJson.ParseSpec(Fixtures.Bytes(name)), null));
    }

    [Fact]
    public void Base_is_valid() => Assert.Empty(SpecValidator.Validate(Valid(), null));

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(SpecValidator.Validate(SpecDefaults.Create(false, true, 0, 0), null));
        Assert.Empty(SpecValidator.Validate(SpecDefaults.Create(true, false, 1000, 1000), null));
    }

    [Fact]
    public void Version_missing()
    {
        var s = Valid(); s.Version = "";
        AssertOnlyError(s, "$.ociVersion", "missing: the spec version is required");
    }

    [Theory]
    [InlineData("2.0.0")]
    [InlineData("1")]
    [InlineData("v1.0.0")]
    [InlineData("1.x.0")]
    public void Version_not_1x(string v)
    {
        var s = Valid(); s.Version = v;
        AssertOnlyError(s, "$.ociVersion", $"unsupported version \"{v}\", expected 1.x");
    }

    [Theory]
    [InlineData("1.0.2-dev")]
    [InlineData("1.2.0")]
    [InlineData("1.3.0+dev")]
    [InlineData("1.1")]
    public void Version_1x_accepted(string v)
    {
        var s = Valid(); s.Version = v;
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Root_missing()
    {
        var s = Valid(); s.Root = null;
        AssertOnlyError(s, "$.root", "missing: the root filesystem is required");
        s.Root = new Root();
        AssertOnlyError(s, "$.root.path", "missing: the root filesystem path is required");
    }

    [Fact]
    public void Rootfs_is_checked_relative_to_the_bundle()
    {
        string bundle = Directory.CreateTempSubdirectory("ocispec").FullName;
        try
        {
            var s = Valid();
            var e = Assert.Single(SpecValidator.Validate(s, bundle));
            Assert.Equal("$.root.path", e.Path);
            Assert.Equal($"rootfs {bundle}/rootfs does not exist", e.Message);
            File.WriteAllText(Path.Combine(bundle, "rootfs"), "");
            Assert.Equal($"rootfs {bundle}/rootfs is not a directory", Assert.Single(SpecValidator.Validate(s, bundle)).Message);
            File.Delete(Path.Combine(bundle, "rootfs"));
            Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
            Assert.Empty(SpecValidator.Validate(s, bundle));
        }
        finally { Directory.Delete(bundle, true); }
    }

    [Fact]
    public void Args_empty_when_process_present()
    {
        var s = Valid(); s.Process!.Args = [];
        AssertOnlyError(s, "$.process.args", "must contain at least one element (the program to run)");
        s.Process.Args = null;
        AssertOnlyError(s, "$.process.args", "must contain at least one element (the program to run)");
        s.Process = null;
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Cwd_relative()
    {
        var s = Valid(); s.Process!.Cwd = "work";
        AssertOnlyError(s, "$.process.cwd", "must be an absolute path, got \"work\"");
        s.Process.Cwd = "";
        AssertOnlyError(s, "$.process.cwd", "missing: the working directory is required");
    }

    [Fact]
    public void Env_without_equals()
    {
        var s = Valid(); s.Process!.Env = ["A=1", "BROKEN", "=x"];
        var errs = Errors(s);
        Assert.Equal(["$.process.env[1]", "$.process.env[2]"], errs.Select(e => e.Path));
        Assert.Equal("invalid environment variable \"BROKEN\": missing '='", errs[0].Message);
        Assert.Equal("invalid environment variable \"=x\": empty name", errs[1].Message);
    }

    [Fact]
    public void Unknown_namespace_type()
    {
        var s = Valid(); s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "net" });
        AssertOnlyError(s, "$.linux.namespaces[5].type", "unknown namespace type \"net\"");
    }

    [Fact]
    public void Duplicated_namespace()
    {
        var s = Valid(); s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "pid", Path = "/proc/1/ns/pid" });
        AssertOnlyError(s, "$.linux.namespaces[5].type", "duplicated namespace \"pid\" (first at index 0)");
    }

    [Fact]
    public void Namespace_path_relative()
    {
        var s = Valid(); s.Linux!.Namespaces![0].Path = "ns/pid";
        AssertOnlyError(s, "$.linux.namespaces[0].path", "namespace path must be absolute, got \"ns/pid\"");
    }

    [Fact]
    public void Mappings_without_user_namespace()
    {
        var s = Valid();
        s.Linux!.UIDMappings = [new LinuxIDMapping { HostID = 1000, Size = 1 }];
        AssertOnlyError(s, "$.linux.uidMappings", "uid mappings given, but no user namespace is configured");
        s.Linux.UIDMappings = null;
        s.Linux.GIDMappings = [];
        AssertOnlyError(s, "$.linux.gidMappings", "gid mappings given, but no user namespace is configured");
    }

    [Fact]
    public void User_namespace_without_mappings()
    {
        var s = Valid(); s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        AssertOnlyError(s, "$.linux.namespaces", "user namespace enabled, but no namespace path to join nor uidMappings/gidMappings given");
        s.Linux.UIDMappings = [new LinuxIDMapping { HostID = 1000, Size = 1 }];
        AssertOnlyError(s, "$.linux.gidMappings", "a new user namespace needs gidMappings");
        s.Linux.GIDMappings = [new LinuxIDMapping { HostID = 1000, Size = 0 }];
        AssertOnlyError(s, "$.linux.gidMappings[0].size", "mapping size must be greater than zero");
        s.Linux.GIDMappings[0].Size = 1;
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Joined_user_namespace_needs_no_mappings()
    {
        var s = Valid(); s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = "/proc/42/ns/user" });
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Relative_mount_destination_is_a_warning()
    {
        var s = Valid(); s.Mounts = [new Mount { Destination = "data", Type = "tmpfs", Source = "tmpfs" }];
        AssertOnlyWarning(s, "$.mounts[0].destination", "relative destination \"data\" is deprecated, it is taken relative to /");
        // Warnings do not stop the container.
        Assert.Single(SpecValidator.ValidateOrThrow(s, null));
    }

    [Fact]
    public void Mount_destination_missing()
    {
        var s = Valid(); s.Mounts = [new Mount { Type = "tmpfs" }];
        AssertOnlyError(s, "$.mounts[0].destination", "missing: the mount destination is required");
    }

    [Fact]
    public void Idmapped_mount_rules()
    {
        var s = Valid();
        var map = new List<LinuxIDMapping> { new() { HostID = 100000, Size = 65536 } };
        s.Mounts = [new Mount { Destination = "/d", Type = "tmpfs", Source = "tmpfs", UIDMappings = map, GIDMappings = map }];
        AssertOnlyError(s, "$.mounts[0]", "id-mapped mounts are only supported for bind mounts");
        s.Mounts[0].Options = ["rbind"];
        s.Mounts[0].GIDMappings = null;
        AssertOnlyError(s, "$.mounts[0]", "id-mapped mounts need both uidMappings and gidMappings");
    }

    [Fact]
    public void Rootfs_propagation_unknown()
    {
        var s = Valid(); s.Linux!.RootfsPropagation = "rshard";
        AssertOnlyError(s, "$.linux.rootfsPropagation", "unsupported propagation \"rshard\"");
    }

    [Theory]
    [InlineData("x", 1, 3, "$.linux.devices[0].type", "invalid device type \"x\", expected one of c, b, u, p")]
    [InlineData("c", 0, 0, "$.linux.devices[0]", "device type \"c\" needs major and minor numbers")]
    [InlineData("b", 0, 0, "$.linux.devices[0]", "device type \"b\" needs major and minor numbers")]
    [InlineData("c", -1, 3, "$.linux.devices[0].major", "must not be negative, got -1")]
    public void Device_rules(string type, long major, long minor, string path, string message)
    {
        var s = Valid(); s.Linux!.Devices = [new LinuxDevice { Path = "/dev/x", Type = type, Major = major, Minor = minor }];
        AssertOnlyError(s, path, message);
    }

    [Fact]
    public void Fifo_needs_no_numbers()
    {
        var s = Valid(); s.Linux!.Devices = [new LinuxDevice { Path = "/dev/fifo", Type = "p" }];
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Device_path_relative()
    {
        var s = Valid(); s.Linux!.Devices = [new LinuxDevice { Path = "dev/null", Type = "c", Major = 1, Minor = 3 }];
        AssertOnlyError(s, "$.linux.devices[0].path", "must be an absolute path, got \"dev/null\"");
    }

    [Fact]
    public void Cgroup_device_rule_rules()
    {
        var s = Valid();
        s.Linux!.Resources = new LinuxResources { Devices = [new() { Allow = true, Type = "u", Access = "rwx" }] };
        var errs = Errors(s);
        Assert.Equal(["$.linux.resources.devices[0].type", "$.linux.resources.devices[0].access"], errs.Select(e => e.Path));
        Assert.Equal("invalid cgroup device type \"u\", expected a, c or b", errs[0].Message);
        Assert.Equal("invalid access \"rwx\", expected letters from rwm", errs[1].Message);
    }

    [Fact]
    public void Unknown_capability_is_a_warning()
    {
        var s = Valid();
        s.Process!.Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL", "CAP_CHECKPOINT_RESTORE", "CAP_FLY"] };
        AssertOnlyWarning(s, "$.process.capabilities.bounding[2]", "unknown capability \"CAP_FLY\" is ignored");
    }

    [Fact]
    public void Capability_table_matches_the_kernel_numbers()
    {
        Assert.Equal(41, Capabilities.Names.Count);
        Assert.True(Capabilities.TryGetNumber("CAP_SYS_ADMIN", out int admin));
        Assert.Equal(21, admin);
        Assert.True(Capabilities.TryGetNumber("CAP_CHECKPOINT_RESTORE", out int last));
        Assert.Equal(Capabilities.LastCap, last);
        Assert.False(Capabilities.TryGetNumber("cap_kill", out _));
    }

    [Fact]
    public void Rlimit_rules()
    {
        var s = Valid();
        s.Process!.Rlimits =
        [
            new() { Type = "RLIMIT_NOFILE", Hard = 10, Soft = 10 },
            new() { Type = "RLIMIT_FOO", Hard = 1, Soft = 1 },
            new() { Type = "RLIMIT_NOFILE", Hard = 5, Soft = 5 },
            new() { Type = "RLIMIT_CORE", Hard = 1, Soft = 2 },
        ];
        var errs = Errors(s);
        Assert.Equal(["$.process.rlimits[1].type", "$.process.rlimits[2].type", "$.process.rlimits[3].soft"], errs.Select(e => e.Path));
        Assert.Equal("unknown rlimit \"RLIMIT_FOO\"", errs[0].Message);
        Assert.Equal("duplicated rlimit \"RLIMIT_NOFILE\"", errs[1].Message);
        Assert.Equal("soft limit 2 is above hard limit 1", errs[2].Message);
        Assert.True(Rlimits.TryGetResource("RLIMIT_RTTIME", out int rttime));
        Assert.Equal(15, rttime);
    }

    [Fact]
    public void Oom_score_adj_range()
    {
        var s = Valid(); s.Process!.OomScoreAdj = 1001;
        AssertOnlyError(s, "$.process.oomScoreAdj", "must be between -1000 and 1000, got 1001");
    }

    [Theory]
    [InlineData("net.ipv4.ip_forward", "network", "sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace")]
    [InlineData("net/ipv4/conf/eno2.100/rp_filter", "network", "sysctl \"net.ipv4.conf.eno2/100.rp_filter\" is not allowed in the host's network namespace")]
    [InlineData("kernel.msgmax", "ipc", "sysctl \"kernel.msgmax\" is not allowed in the host's ipc namespace")]
    [InlineData("kernel.shm_rmid_forced", "ipc", "sysctl \"kernel.shm_rmid_forced\" is not allowed in the host's ipc namespace")]
    [InlineData("fs.mqueue.queues_max", "ipc", "sysctl \"fs.mqueue.queues_max\" is not allowed in the host's ipc namespace")]
    [InlineData("kernel.domainname", "uts", "sysctl \"kernel.domainname\" is not in a separate kernel namespace")]
    public void Sysctl_needs_its_namespace(string key, string ns, string message)
    {
        var s = Valid();
        s.Linux!.Sysctl = new() { [key] = "1" };
        Assert.Empty(SpecValidator.Validate(s, null));
        s.Linux.Namespaces!.RemoveAll(n => n.Type == ns);
        var e = Assert.Single(Errors(s));
        Assert.Equal(message, e.Message);
        Assert.Equal($"$.linux.sysctl['{key}']", e.Path);
    }

    [Fact]
    public void Sysctl_hostname_conflicts_with_the_field()
    {
        var s = Valid(); s.Linux!.Sysctl = new() { ["kernel.hostname"] = "x" };
        AssertOnlyError(s, "$.linux.sysctl['kernel.hostname']", "sysctl \"kernel.hostname\" is not allowed as it conflicts with the \"hostname\" field");
    }

    [Fact]
    public void Sysctl_not_namespaced()
    {
        var s = Valid(); s.Linux!.Sysctl = new() { ["vm.swappiness"] = "1" };
        AssertOnlyError(s, "$.linux.sysctl['vm.swappiness']", "sysctl \"vm.swappiness\" is not in a separate kernel namespace");
    }

    [Fact]
    public void Sysctl_user_needs_user_namespace()
    {
        var s = Valid(); s.Linux!.Sysctl = new() { ["user.max_user_namespaces"] = "0" };
        AssertOnlyError(s, "$.linux.sysctl['user.max_user_namespaces']", "sysctl \"user.max_user_namespaces\" is not allowed without a user namespace");
    }

    [Fact]
    public void Time_offsets_need_time_namespace()
    {
        var s = Valid(); s.Linux!.TimeOffsets = new() { ["monotonic"] = new LinuxTimeOffset { Secs = 100 } };
        AssertOnlyError(s, "$.linux.timeOffsets", "time offsets given, but no time namespace is configured");
        s.Linux.Namespaces!.Add(new LinuxNamespace { Type = "time" });
        Assert.Empty(SpecValidator.Validate(s, null));
        s.Linux.Namespaces[^1].Path = "/proc/1/ns/time";
        AssertOnlyError(s, "$.linux.timeOffsets", "time offsets cannot be applied when joining an existing time namespace");
    }

    [Fact]
    public void Time_offset_clock_unknown()
    {
        var s = Valid();
        s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
        s.Linux.TimeOffsets = new() { ["realtime"] = new LinuxTimeOffset { Secs = 1 } };
        AssertOnlyError(s, "$.linux.timeOffsets.realtime", "unknown clock \"realtime\", expected \"monotonic\" or \"boottime\"");
    }

    [Fact]
    public void Hostname_needs_uts()
    {
        var s = Valid(); s.Hostname = "box";
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts");
        AssertOnlyError(s, "$.hostname", "unable to set hostname without a private uts namespace");
    }

    [Fact]
    public void Masked_paths_need_mount_namespace()
    {
        var s = Valid(); s.Linux!.MaskedPaths = ["/proc/kcore"];
        s.Linux.Namespaces!.RemoveAll(n => n.Type == "mount");
        AssertOnlyError(s, "$.linux.maskedPaths", "unable to restrict paths without a private mount namespace");
    }

    [Fact]
    public void Rdma_device_names()
    {
        var s = Valid();
        s.Linux!.Resources = new LinuxResources
        {
            Rdma = new() { [""] = new LinuxRdma { HcaHandles = 1 }, ["mlx5 0"] = new LinuxRdma { HcaObjects = 1 }, ["mlx5_0"] = new LinuxRdma { HcaHandles = 2, HcaObjects = 10 } },
        };
        var errs = Errors(s);
        Assert.Equal(2, errs.Count);
        Assert.Equal("$.linux.resources.rdma['']", errs[0].Path);
        Assert.Equal("rdma device name must not be empty", errs[0].Message);
        Assert.Equal("$.linux.resources.rdma['mlx5 0']", errs[1].Path);
        Assert.Equal("invalid rdma device name \"mlx5 0\"", errs[1].Message);
    }

    [Fact]
    public void Rdma_limits()
    {
        var s = Valid();
        s.Linux!.Resources = new LinuxResources { Rdma = new() { ["mlx5_0"] = new LinuxRdma() } };
        AssertOnlyWarning(s, "$.linux.resources.rdma.mlx5_0", "neither hcaHandles nor hcaObjects is set, nothing is limited");
        s.Linux.Resources.Rdma["mlx5_0"].HcaHandles = uint.MaxValue;
        AssertOnlyError(s, "$.linux.resources.rdma.mlx5_0.hcaHandles", $"must be at most 2147483647, got {uint.MaxValue}");
    }

    [Fact]
    public void Hook_rules()
    {
        var s = Valid();
        s.Hooks = new Hooks
        {
            CreateRuntime = [new Hook { Path = "/bin/ok", Timeout = 5 }, new Hook { Path = "hook" }],
            Poststop = [new Hook { Path = "/bin/x", Timeout = 0 }],
        };
        var errs = Errors(s);
        Assert.Equal(["$.hooks.createRuntime[1].path", "$.hooks.poststop[0].timeout"], errs.Select(e => e.Path));
        Assert.Equal("must be an absolute path, got \"hook\"", errs[0].Message);
        Assert.Equal("must be greater than zero, got 0", errs[1].Message);
    }

    [Fact]
    public void Seccomp_rules()
    {
        var s = Valid();
        s.Linux!.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_NOPE",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"],
            Syscalls =
            [
                new() { Names = ["read"], Action = "SCMP_ACT_ALLOW", Args = [new() { Index = 6, Op = "SCMP_CMP_EQ" }, new() { Index = 0, Op = "EQ" }] },
                new() { Names = [], Action = "SCMP_ACT_ALLOW" },
            ],
        };
        var errs = Errors(s);
        Assert.Equal(
        [
            "$.linux.seccomp.defaultAction", "$.linux.seccomp.architectures[1]",
            "$.linux.seccomp.syscalls[0].args[0].index", "$.linux.seccomp.syscalls[0].args[1].op",
            "$.linux.seccomp.syscalls[1].names",
        ], errs.Select(e => e.Path));
        Assert.Equal("unknown action \"SCMP_ACT_NOPE\"", errs[0].Message);
        Assert.Equal("unknown seccomp architecture \"SCMP_ARCH_Z80\"", errs[1].Message);
    }

    [Fact]
    public void Seccomp_notify_needs_listener()
    {
        var s = Valid();
        s.Linux!.Seccomp = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new() { Names = ["mount"], Action = "SCMP_ACT_NOTIFY" }] };
        AssertOnlyError(s, "$.linux.seccomp.listenerPath", "SCMP_ACT_NOTIFY is used, so a listenerPath is required");
    }

    [Fact]
    public void Scheduler_rules()
    {
        var s = Valid();
        s.Process!.Scheduler = new Scheduler { Policy = "SCHED_OTHER", Nice = 30 };
        AssertOnlyError(s, "$.process.scheduler.nice", "must be between -20 and 19, got 30");
        s.Process.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Priority = 3 };
        AssertOnlyError(s, "$.process.scheduler.priority", "can only be set for SCHED_FIFO or SCHED_RR");
        s.Process.Scheduler = new Scheduler { Policy = "SCHED_FIFO", Priority = 3, Runtime = 5 };
        AssertOnlyError(s, "$.process.scheduler", "runtime, deadline and period can only be set for SCHED_DEADLINE");
        s.Process.Scheduler = new Scheduler { Policy = "SCHED_FAST" };
        AssertOnlyError(s, "$.process.scheduler.policy", "unknown policy \"SCHED_FAST\"");
    }

    [Fact]
    public void Io_priority_rules()
    {
        var s = Valid(); s.Process!.IOPriority = new LinuxIOPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 };
        AssertOnlyError(s, "$.process.ioPriority.priority", "must be between 0 and 7, got 8");
    }

    [Fact]
    public void Personality_domain()
    {
        var s = Valid(); s.Linux!.Personality = new LinuxPersonality { Domain = "BSD" };
        AssertOnlyError(s, "$.linux.personality.domain", "invalid personality domain \"BSD\", expected LINUX or LINUX32");
    }

    [Fact]
    public void Net_devices_need_distinct_names_in_the_container()
    {
        var s = Valid();
        s.Linux!.NetDevices = new() { ["eth1"] = new LinuxNetDevice { Name = "net0" }, ["eth2"] = new LinuxNetDevice { Name = "net0" } };
        AssertOnlyError(s, "$.linux.netDevices.eth2.name", "network device \"eth2\" and \"eth1\" would both be named \"net0\" in the container");
        // A device keeping its host name collides with another renamed to that name.
        s.Linux.NetDevices = new() { ["net0"] = new LinuxNetDevice(), ["eth2"] = new LinuxNetDevice { Name = "net0" } };
        AssertOnlyError(s, "$.linux.netDevices.eth2.name", "network device \"eth2\" and \"net0\" would both be named \"net0\" in the container");
        s.Linux.NetDevices = new() { ["eth1"] = new LinuxNetDevice { Name = "eth2" }, ["eth2"] = new LinuxNetDevice { Name = "eth1" } };
        Assert.Empty(Errors(s));
    }

    [Fact]
    public void Net_devices_need_netns_and_valid_names()
    {
        var s = Valid();
        s.Linux!.NetDevices = new() { ["ib0"] = new LinuxNetDevice { Name = "a/b" }, ["averyveryverylongname"] = new LinuxNetDevice() };
        var errs = Errors(s);
        Assert.Equal(["$.linux.netDevices.ib0.name", "$.linux.netDevices.averyveryverylongname"], errs.Select(e => e.Path));
        s.Linux.NetDevices = new() { ["ib0"] = new LinuxNetDevice() };
        s.Linux.Namespaces!.RemoveAll(n => n.Type == "network");
        AssertOnlyError(s, "$.linux.netDevices", "unable to move network devices without a network namespace");
    }

    [Fact]
    public void ValidateOrThrow_lists_every_error_in_one_exception()
    {
        var s = Valid();
        s.Process!.Cwd = "rel";
        s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "bogus" });
        s.Mounts = [new Mount { Destination = "rel", Type = "tmpfs" }];
        var e = Assert.Throws<SpecException>(() => SpecValidator.ValidateOrThrow(s, null));
        Assert.Equal("config.json: 2 problems: $.process.cwd: must be an absolute path, got \"rel\"; " +
                     "$.linux.namespaces[5].type: unknown namespace type \"bogus\"", e.Message);
        Assert.Equal(2, e.Problems.Count);
        Assert.Equal("$.process.cwd", e.JsonPath);
    }

    [Fact]
    public void ValidateOrThrow_single_error_message()
    {
        var s = Valid(); s.Root = null;
        var e = Assert.Throws<SpecException>(() => SpecValidator.ValidateOrThrow(s, null, "/b/config.json"));
        Assert.Equal("/b/config.json: $.root: missing: the root filesystem is required", e.Message);
    }

    [Fact]
    public void Exec_process_document_is_validated_alone()
    {
        var p = SpecJson.ParseProcess("""{"user":{"uid":0,"gid":0},"args":[],"cwd":"x"}"""u8);
        Assert.Equal(["$.args", "$.cwd"], SpecValidator.ValidateProcess(p).Select(e => e.Path));
    }

    [Fact]
    public void Update_resources_document_is_validated_alone()
    {
        var r = SpecJson.ParseResources("""{"rdma":{"":{"hcaHandles":1}}}"""u8);
        Assert.Equal("$.rdma['']", Assert.Single(SpecValidator.ValidateResources(r)).Path);
    }
}
