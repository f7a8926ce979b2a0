using System.Text.Json.Serialization;

namespace Rdmarun.Engine.Protocol;

/// <summary>What the parent tells stage 2 (frame 5 of PROTOCOL.md). The spec or process follows as frame 6.</summary>
public sealed class InitConfig
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    /// <summary>Absolute rootfs path on the host (create only).</summary>
    public string Rootfs { get; set; } = "";
    public bool IsExec { get; set; }
    public bool NoPivot { get; set; }
    public bool NoNewKeyring { get; set; }
    /// <summary>Number of fds after stdio to pass through to the process (--preserve-fds).</summary>
    public int PreserveFds { get; set; }
    /// <summary>Inherited fd of the console socket connection, or -1.</summary>
    public int ConsoleFd { get; set; } = -1;
    /// <summary>Inherited O_PATH fd of exec.fifo (create only), or -1.</summary>
    public int FifoFd { get; set; } = -1;
    /// <summary>Whether a new user namespace was created (devices are then bind-mounted, not mknod'ed).</summary>
    public bool NewUserNs { get; set; }
    public bool NewMountNs { get; set; }
    /// <summary>No mount namespace (new or joined): the parent placed the rootfs mount; chroot instead of pivot_root.</summary>
    public bool HostMountNs { get; set; }
    public bool NewPidNs { get; set; }
    /// <summary>The parent wants the hooks sync (frame 7) because prestart/createRuntime hooks exist.</summary>
    public bool HooksSync { get; set; }
    public bool NewCgroupNs { get; set; }
    /// <summary>
    /// A rootless run template's publisher (RUN_TEMPLATE.md) must open /proc/INIT/ns/{user,mnt}, which
    /// the kernel allows an unprivileged caller only for a dumpable process: stage 2 turns it on just
    /// before Ready (nothing runs in the container yet; the exec of the program recomputes it).
    /// </summary>
    public bool DumpableForTemplate { get; set; }
    /// <summary>Controller (or "unified") → the container's cgroup directory on the host, for the cgroup mount.</summary>
    public Dictionary<string, string>? CgroupPaths { get; set; }
    /// <summary>Pid of stage 2 in the parent's pid namespace (for hook state).</summary>
    public int InitPid { get; set; }
    /// <summary>RDMA entries (device and node names) to keep in /sys/class/infiniband*; null: no filtering.</summary>
    public List<string>? RdmaSysfsVisible { get; set; }
    /// <summary>Exec only: the container's linux.seccomp as a spec document (see SeccompInit.ToConfigJson).</summary>
    public string? SeccompJson { get; set; }
    /// <summary>Foreground run: the signal the init gets when the waiting runtime dies (0: none).</summary>
    public int ParentDeathSignal { get; set; }
}

/// <summary>Managed-phase messages between parent and stage 2.</summary>
public sealed class InitMessage
{
    public string Type { get; set; } = "";
    public string? Message { get; set; }

    public const string Hooks = "hooks", Resume = "resume", Ready = "ready", Error = "error";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitConfig))]
[JsonSerializable(typeof(InitMessage))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
