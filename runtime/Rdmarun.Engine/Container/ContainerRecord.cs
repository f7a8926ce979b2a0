using System.Text.Json.Serialization;

namespace Rdmarun.Engine.Container;

/// <summary>
/// What rdmarun remembers about a container between commands (state.json in the container's
/// state dir). The effective spec (after the runtime's own additions) is stored beside it as
/// config.json so that later commands (delete's poststop hooks, exec) see what create applied.
/// </summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public int InitPid { get; set; }
    /// <summary>Start time of the init in clock ticks (/proc/pid/stat field 22): guards against pid reuse.</summary>
    public ulong InitStartTime { get; set; }
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public DateTime Created { get; set; }
    public string Owner { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Controller (or "unified") → absolute cgroup directory, as saved by the cgroup manager.</summary>
    public Dictionary<string, string>? CgroupPaths { get; set; }
    /// <summary>Namespace type (spec name) → /proc path or joined path, for exec.</summary>
    public Dictionary<string, string>? NamespacePaths { get; set; }
    public bool Rootless { get; set; }
    public bool SystemdCgroup { get; set; }
    /// <summary>
    /// A host-side hook (prestart, createRuntime, poststart, poststop) while it runs: saved when it starts,
    /// cleared when it was reaped. Set in a saved record only when rdmarun died mid-hook; `delete --force`
    /// then kills the hook's process group.
    /// </summary>
    public HookProcess? RunningHook { get; set; }
    /// <summary>linux.netDevices moved into the container: saved before each move, so delete (--force) gives them back.</summary>
    public List<Rdmarun.Rdma.Rtnl.MovedNetDevice>? NetDevices { get; set; }
    /// <summary>
    /// mlx4 VF P_Key maps rdmarun rewrote for the container, each with the map it had before: saved before the
    /// first write, restored by delete (--force).
    /// </summary>
    public List<Rdmarun.Rdma.Mlx4PkeyRemap>? PkeyRemaps { get; set; }
    /// <summary>No mount namespace: the rootfs mount placed in the host's mount table (removed on delete).</summary>
    public HostRootfsMount? HostRootfsMount { get; set; }
    /// <summary>Rate caps on host netdevs (a container in the host's netns): saved before each install, removed by delete (--force).</summary>
    public List<Net.HostQdisc>? HostQdiscs { get; set; }
}

/// <summary>A hook process: it leads its own process group (pgid = pid); the start time guards against pid reuse.</summary>
public sealed class HookProcess
{
    public int Pgid { get; set; }
    public ulong StartTime { get; set; }
    public string Phase { get; set; } = "";
    public string Path { get; set; } = "";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
public sealed partial class StateJsonContext : JsonSerializerContext;
