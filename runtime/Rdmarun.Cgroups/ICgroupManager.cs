using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups;

public enum FreezerState { Thawed, Frozen, Undefined }

/// <summary>
/// A container's cgroup(s). Implementations: <see cref="FsV1Manager"/> (v1 and hybrid) and
/// <see cref="FsV2Manager"/> (pure cgroup2). A systemd driver (TODO, not written) would implement this
/// interface too, wrapping the fs managers for the files systemd cannot delegate (rdma.max).
/// </summary>
public interface ICgroupManager
{
    CgroupMode Mode { get; }

    /// <summary>Directory per v1 controller; key "" is the cgroup2 directory (pure v2 or the hybrid unified tree). Saved in state.json for <see cref="CgroupManagerFactory.Load"/>.</summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>Creates the cgroup(s) and moves <paramref name="pid"/> in (only creates when pid &lt;= 0).</summary>
    void Apply(int pid);

    /// <summary>Writes linux.resources to the cgroup files (also used by `update`).</summary>
    void Set(LinuxResources resources);

    /// <summary>Processes directly in the container cgroup.</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>Processes in the container cgroup and every cgroup below it.</summary>
    IReadOnlyList<int> GetAllPids();

    void Freeze();
    void Thaw();
    FreezerState GetFreezerState();

    /// <summary>Signals every process (cgroup.kill for SIGKILL where the kernel has it).</summary>
    void Kill(int signal);

    /// <summary>Removes the container cgroup(s) and any cgroups the workload created below them.</summary>
    void Destroy();

    bool Exists();
    CgroupStats GetStats();

    /// <summary>True when the kernel OOM killer has killed a process in this cgroup.</summary>
    bool OomKilled();
}
