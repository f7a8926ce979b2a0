using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Lifecycle;

/// <summary>Which rank specs may be published as a launch template (LAUNCH_TEMPLATE.md "Eligible specs"), one reason per case.</summary>
public class LaunchTemplateEligibilityTests
{
    private static readonly LaunchOptions Options = new() { Args = ["/bin/true"] };

    /// <summary>What `rdmarun spec` writes, after launch's edits: only a mount namespace is left.</summary>
    private static Spec Rank()
    {
        var spec = new Spec
        {
            Process = new Process
            {
                Args = ["sh"], Env = ["PATH=/bin"], Cwd = "/",
                Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"] },
                Rlimits = [new POSIXRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs" },
            Linux = new Linux
            {
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces = new[] { "pid", "network", "ipc", "uts", "mount" }.Select(t => new LinuxNamespace { Type = t }).ToList(),
                MaskedPaths = ["/proc/kcore"],
            },
        };
        LaunchSpec.Apply(spec, Options with { LauncherTag = "1:2" }, new LaunchSpec.Caller(0, 0, [0], "/", new Dictionary<string, string>()));
        return spec;
    }

    [Fact]
    public void The_default_spec_after_launchs_edits_is_eligible()
    {
        Assert.Null(LaunchTemplateEligibility.Reason(Rank(), Options, systemdCgroup: false));
    }

    [Fact]
    public void Runtime_written_annotations_and_foreign_ones_are_allowed()
    {
        var spec = Rank();
        spec.Annotations![Rdmarun.Engine.Rdma.RdmaSpecGrant.GrantedAnnotation] = "mlx5_0";
        spec.Annotations[Rdmarun.Engine.Rdma.RdmaSpecGrant.GrantedNodesAnnotation] = "/dev/infiniband/uverbs0";
        spec.Annotations["com.example.job"] = "42";
        Assert.Null(LaunchTemplateEligibility.Reason(spec, Options, false));
    }

    public static TheoryData<string, string> Cases() => new()
    {
        { "user namespace", "the spec has a user namespace of its own" },
        { "pid namespace", "the spec has a pid namespace of its own" },
        { "cgroup namespace", "the spec has a cgroup namespace of its own" },
        { "time namespace", "the spec has a time namespace of its own" },
        { "joined mount namespace", "the spec joins the mount namespace /proc/1/ns/mnt" },
        { "no mount namespace", "the spec has no mount namespace of its own" },
        { "prestart hook", "the spec has hooks" },
        { "poststop hook", "the spec has hooks" },
        { "seccomp", "the spec has a seccomp profile" },
        { "CAP_SYS_ADMIN", "process.capabilities grants CAP_SYS_ADMIN (a rank could change the shared mount namespace)" },
        { "apparmor", "process.apparmorProfile is set" },
        { "selinux process label", "the spec has an SELinux label" },
        { "selinux mount label", "the spec has an SELinux label" },
        { "sysctl", "linux.sysctl is set" },
        { "personality", "linux.personality is set" },
        { "ioPriority", "process.ioPriority is set" },
        { "scheduler", "process.scheduler is set" },
        { "execCPUAffinity", "process.execCPUAffinity is set" },
        { "memoryPolicy", "linux.memoryPolicy is set" },
        { "intelRdt", "linux.intelRdt is set" },
        { "timeOffsets", "linux.timeOffsets is set" },
        { "netDevices", "linux.netDevices is set" },
        { "memory limit", "linux.resources has limits besides device rules" },
        { "pids limit", "linux.resources has limits besides device rules" },
        { "rdma limit", "linux.resources has limits besides device rules" },
        { "unified", "linux.resources has limits besides device rules" },
        { "cgroupsPath", "linux.cgroupsPath is set" },
        { "reaper annotation", "annotation org.rdmarun.init is set" },
        { "rdma rate annotation", "annotation org.rdmarun.rdma.rate is set" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_spec_setting_is_refused_with_its_reason(string what, string reason)
    {
        var spec = Rank();
        var p = spec.Process!;
        var l = spec.Linux!;
        switch (what)
        {
            case "user namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "user" }); break;
            case "pid namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "pid" }); break;
            case "cgroup namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "cgroup" }); break;
            case "time namespace": l.Namespaces!.Add(new LinuxNamespace { Type = "time" }); break;
            case "joined mount namespace": l.Namespaces = [new LinuxNamespace { Type = "mount", Path = "/proc/1/ns/mnt" }]; break;
            case "no mount namespace": l.Namespaces = []; break;
            case "prestart hook": spec.Hooks = new OciSpec.Hooks { Prestart = [new Hook { Path = "/bin/true" }] }; break;
            case "poststop hook": spec.Hooks = new OciSpec.Hooks { Poststop = [new Hook { Path = "/bin/true" }] }; break;
            case "seccomp": l.Seccomp = new LinuxSeccomp(); break;
            case "CAP_SYS_ADMIN": p.Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL", "CAP_SYS_ADMIN"] }; break;
            case "apparmor": p.ApparmorProfile = "unconfined"; break;
            case "selinux process label": p.SelinuxLabel = "system_u:system_r:container_t:s0"; break;
            case "selinux mount label": l.MountLabel = "system_u:object_r:container_file_t:s0"; break;
            case "sysctl": l.Sysctl = new() { ["kernel.msgmax"] = "8192" }; break;
            case "personality": l.Personality = new LinuxPersonality { Domain = "LINUX32" }; break;
            case "ioPriority": p.IOPriority = new LinuxIOPriority { Class = "IOPRIO_CLASS_IDLE" }; break;
            case "scheduler": p.Scheduler = new Scheduler { Policy = "SCHED_BATCH" }; break;
            case "execCPUAffinity": p.ExecCPUAffinity = new CPUAffinity { Final = "0" }; break;
            case "memoryPolicy": l.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_BIND", Nodes = "0" }; break;
            case "intelRdt": l.IntelRdt = new LinuxIntelRdt { ClosID = "x" }; break;
            case "timeOffsets": l.TimeOffsets = new() { ["monotonic"] = new LinuxTimeOffset { Secs = 1 } }; break;
            case "netDevices": l.NetDevices = new() { ["eth1"] = new LinuxNetDevice() }; break;
            case "memory limit": l.Resources!.Memory = new LinuxMemory { Limit = 1 << 30 }; break;
            case "pids limit": l.Resources!.Pids = new LinuxPids { Limit = 100 }; break;
            case "rdma limit": l.Resources!.Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaHandles = 1 } }; break;
            case "unified": l.Resources!.Unified = new() { ["memory.high"] = "1G" }; break;
            case "cgroupsPath": l.CgroupsPath = "/mpi/rank"; break;
            case "reaper annotation": spec.Annotations!["org.rdmarun.init"] = "reaper"; break;
            case "rdma rate annotation": spec.Annotations!["org.rdmarun.rdma.rate"] = "10gbit"; break;
            default: throw new ArgumentException(what);
        }
        Assert.Equal(reason, LaunchTemplateEligibility.Reason(spec, Options, systemdCgroup: false));
    }

    [Fact]
    public void Launch_flags_that_make_a_rank_unique_are_refused()
    {
        Assert.Equal("--id is given (a template serves generated ids only)", LaunchTemplateEligibility.Reason(Rank(), Options with { Id = "rank0" }, false));
        Assert.Equal("--pid-ns private", LaunchTemplateEligibility.Reason(Rank(), Options with { PrivatePidNs = true }, false));
        Assert.Equal("--systemd-cgroup", LaunchTemplateEligibility.Reason(Rank(), Options, systemdCgroup: true));
    }

    [Fact]
    public void Launch_with_private_pid_ns_keeps_a_pid_namespace_and_is_refused_for_it_too()
    {
        var spec = Rank();
        var o = Options with { PrivatePidNs = true };
        LaunchSpec.Apply(spec, o, new LaunchSpec.Caller(0, 0, [0], "/", new Dictionary<string, string>()));
        Assert.Equal("the spec has a pid namespace of its own", LaunchTemplateEligibility.Reason(spec, Options, false));
    }
}
