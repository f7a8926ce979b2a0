using Rdmarun.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Cgroups;

/// <summary>The lifecycle's view of a container's cgroups: one seam over Rdmarun.Cgroups' managers.</summary>
public sealed class ContainerCgroup
{
    private readonly ICgroupManager _mgr;

    private ContainerCgroup(ICgroupManager mgr) => _mgr = mgr;

    public Dictionary<string, string> Paths => new(_mgr.Paths);

    /// <summary>--systemd-cgroup: systemd creates the cgroup as a transient scope (cgroupsPath "slice:prefix:name").</summary>
    public static ContainerCgroup Create(Spec spec, string id, GlobalOptions g)
    {
        var setup = CgroupSetup.Detect();
        return new(g.SystemdCgroup
            ? Rdmarun.Cgroups.Systemd.SystemdManager.Create(spec.Linux?.CgroupsPath, id, setup, Rootless, spec.Linux?.Resources)
            : CgroupManagerFactory.Create(spec.Linux?.CgroupsPath, id, setup, Rootless));
    }

    /// <summary>
    /// The manager of a saved container: the systemd driver when it was created with --systemd-cgroup
    /// (delete stops its unit). Rootless as at create: an exec into a container that runs without a
    /// delegated cgroup stays where its caller is, as the init did, instead of failing to make the dir.
    /// </summary>
    public static ContainerCgroup? Load(ContainerRecord r) =>
        r.CgroupPaths is not { Count: > 0 } paths ? null
        : new(r.SystemdCgroup ? Rdmarun.Cgroups.Systemd.SystemdManager.Load(paths)
            : CgroupManagerFactory.Load(paths, rootless: Rootless));

    private static bool Rootless => Native.Libc.geteuid() != 0;

    public void Apply(int pid) => _mgr.Apply(pid);
    public void Set(LinuxResources? r) { if (r is not null) _mgr.Set(r); }
    public void Destroy() => _mgr.Destroy();
    public void Freeze() => _mgr.Freeze();
    public void Thaw() => _mgr.Thaw();
    public bool IsFrozen() => _mgr.GetFreezerState() == FreezerState.Frozen;
    public IReadOnlyList<int> Pids() => _mgr.GetAllPids();
    public void KillAll(int signal) => _mgr.Kill(signal);
    public bool Exists() => _mgr.Exists();
    public CgroupStats Stats() => _mgr.GetStats();
    public CgroupMode Mode => _mgr.Mode;
}
