using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Systemd;

/// <summary>
/// The arguments of org.freedesktop.systemd1.Manager.StartTransientUnit(s name, s mode, a(sv) properties,
/// a(sa(sv)) aux) for a container: a scope (or slice) with the init in it, delegated to us, plus the
/// limits systemd itself knows. Everything else is written to the cgroup files afterwards.
/// </summary>
public sealed class TransientUnitRequest
{
    public required string Name { get; init; }
    public string Mode { get; init; } = "replace";
    public required IReadOnlyList<UnitProperty> Properties { get; init; }

    public static TransientUnitRequest For(SystemdCgroupPath path, int pid, LinuxResources? resources, bool unified, string containerId)
    {
        var props = new List<UnitProperty>
        {
            UnitProperty.String("Description", $"rdmarun container {containerId}"),
        };
        bool isSlice = path.Unit.EndsWith(".slice");
        // A slice holds no processes; a scope is created around them.
        if (!isSlice && pid > 0) props.Add(UnitProperty.UInt32Array("PIDs", [(uint)pid]));
        props.Add(UnitProperty.String("Slice", path.Slice));
        // Delegate: the container's cgroup is ours to write (rdma.max, devices, subtree), systemd leaves it alone.
        props.Add(UnitProperty.Bool("Delegate", true));
        props.Add(UnitProperty.Bool("DefaultDependencies", false));
        foreach (var acct in unified ? (string[])["MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"]
                                     : ["MemoryAccounting", "CPUAccounting", "BlockIOAccounting", "TasksAccounting"])
            props.Add(UnitProperty.Bool(acct, true));
        if (resources is not null) props.AddRange(ResourceProperties(resources, unified));
        return new TransientUnitRequest { Name = path.Unit, Properties = props };
    }

    /// <summary>The limits with a systemd property; the fs manager writes them (and the rest) too, so systemd's view stays in step.</summary>
    public static IEnumerable<UnitProperty> ResourceProperties(LinuxResources r, bool unified)
    {
        if (r.Memory?.Limit is { } mem && mem > 0)
            yield return UnitProperty.UInt64(unified ? "MemoryMax" : "MemoryLimit", (ulong)mem);
        if (r.Pids?.Limit is { } pids && pids > 0) yield return UnitProperty.UInt64("TasksMax", (ulong)pids);
        if (r.CPU?.Shares is { } shares && shares > 0)
            yield return unified ? UnitProperty.UInt64("CPUWeight", SharesToWeight(shares)) : UnitProperty.UInt64("CPUShares", shares);
        if (r.CPU?.Quota is { } quota && quota > 0)
        {
            ulong period = r.CPU.Period is { } p && p > 0 ? p : 100_000;
            // systemd takes quota per second; round up to 10 ms as it would.
            ulong perSec = (ulong)quota * 1_000_000 / period;
            perSec = (perSec + 9_999) / 10_000 * 10_000;
            yield return UnitProperty.UInt64("CPUQuotaPerSecUSec", perSec);
            // Without it systemd writes its own 100 ms period (cpu.max "Q 100000"), not the spec's.
            if (r.CPU.Period is { } per && per > 0) yield return UnitProperty.UInt64("CPUQuotaPeriodUSec", per);
        }
    }

    /// <summary>cgroup v1 shares [2, 262144] → v2 weight [1, 10000] (the OCI/runc conversion).</summary>
    public static ulong SharesToWeight(ulong shares) => shares == 0 ? 0 : 1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142;
}
