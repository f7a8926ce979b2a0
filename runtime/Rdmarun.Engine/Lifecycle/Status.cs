using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>The status of a container, derived from facts rather than stored (runc's approach).</summary>
public static class Status
{
    public static ContainerStatus Of(ContainerRecord r, StateStore store)
    {
        if (!ProcStat.IsAlive(r.InitPid, r.InitStartTime)) return ContainerStatus.Stopped;
        if (File.Exists(store.FifoOf(r.Id))) return ContainerStatus.Created;
        try
        {
            if (ContainerCgroup.Load(r)?.IsFrozen() == true) return ContainerStatus.Paused;
        }
        catch (Exception) { /* a cgroup we cannot read does not make the container paused */ }
        return ContainerStatus.Running;
    }

    public static OciSpec.State ToSpecState(ContainerRecord r, ContainerStatus s) => new()
    {
        Version = OciSpec.SpecVersion.Current,
        ID = r.Id,
        Status = s.ToSpec(),
        Pid = s == ContainerStatus.Stopped ? 0 : r.InitPid,
        Bundle = r.Bundle,
        Rootfs = r.Rootfs,
        Created = OciSpec.Rfc3339Nano.Format(new DateTimeOffset(r.Created, TimeSpan.Zero)),
        Owner = r.Owner,
        Annotations = r.Annotations,
    };
}
