using Rdmarun.Engine.Container;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `update`: merges new limits into the container's saved linux.resources, writes them to its
/// cgroup and saves the result, so a later update or `events` sees what is in force (as runc).
/// Device rules are not updatable (runc neither).
/// </summary>
public static class Update
{
    public static void Run(GlobalOptions g, string id, LinuxResources changes)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(id);
        using var l = StateLock.Acquire(store.DirOf(id));
        var r = store.Load(id);
        if (Status.Of(r, store) == ContainerStatus.Stopped) throw new RuntimeError("container not running");
        var cg = Pause.Load(r);
        var spec = Start.LoadSavedSpec(store, id);
        var merged = Merge(spec?.Linux?.Resources, changes);
        // Devices stay as they are: null leaves the device rules untouched.
        var toSet = new LinuxResources
        {
            Memory = merged.Memory, CPU = merged.CPU, Pids = merged.Pids, BlockIO = merged.BlockIO,
            HugepageLimits = merged.HugepageLimits, Rdma = merged.Rdma, Unified = merged.Unified,
        };
        cg.Set(toSet);
        if (spec?.Linux is { } linux)
        {
            linux.Resources = merged;
            var path = store.ConfigOf(id);
            File.WriteAllBytes(path + ".tmp", SpecJson.SerializeToUtf8(spec, JsonLayout.Compact));
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }

    /// <summary>Fields set in <paramref name="c"/> replace those of <paramref name="old"/>; the rest stay.</summary>
    public static LinuxResources Merge(LinuxResources? old, LinuxResources c)
    {
        var m = old ?? new LinuxResources();
        if (c.Memory is { } mem)
        {
            var t = m.Memory ??= new LinuxMemory();
            t.Limit = mem.Limit ?? t.Limit;
            t.Reservation = mem.Reservation ?? t.Reservation;
            t.Swap = mem.Swap ?? t.Swap;
            t.Kernel = mem.Kernel ?? t.Kernel;
            t.KernelTCP = mem.KernelTCP ?? t.KernelTCP;
            t.Swappiness = mem.Swappiness ?? t.Swappiness;
            t.DisableOOMKiller = mem.DisableOOMKiller ?? t.DisableOOMKiller;
            t.CheckBeforeUpdate = mem.CheckBeforeUpdate ?? t.CheckBeforeUpdate;
        }
        if (c.CPU is { } cpu)
        {
            var t = m.CPU ??= new LinuxCPU();
            t.Shares = cpu.Shares ?? t.Shares;
            t.Quota = cpu.Quota ?? t.Quota;
            t.Burst = cpu.Burst ?? t.Burst;
            t.Period = cpu.Period ?? t.Period;
            t.RealtimeRuntime = cpu.RealtimeRuntime ?? t.RealtimeRuntime;
            t.RealtimePeriod = cpu.RealtimePeriod ?? t.RealtimePeriod;
            t.Cpus = string.IsNullOrEmpty(cpu.Cpus) ? t.Cpus : cpu.Cpus;
            t.Mems = string.IsNullOrEmpty(cpu.Mems) ? t.Mems : cpu.Mems;
            t.Idle = cpu.Idle ?? t.Idle;
        }
        if (c.Pids?.Limit is { } pl) (m.Pids ??= new LinuxPids()).Limit = pl;
        if (c.BlockIO is { } bio)
        {
            var t = m.BlockIO ??= new LinuxBlockIO();
            t.Weight = bio.Weight ?? t.Weight;
            t.LeafWeight = bio.LeafWeight ?? t.LeafWeight;
            t.WeightDevice = bio.WeightDevice ?? t.WeightDevice;
            t.ThrottleReadBpsDevice = bio.ThrottleReadBpsDevice ?? t.ThrottleReadBpsDevice;
            t.ThrottleWriteBpsDevice = bio.ThrottleWriteBpsDevice ?? t.ThrottleWriteBpsDevice;
            t.ThrottleReadIOPSDevice = bio.ThrottleReadIOPSDevice ?? t.ThrottleReadIOPSDevice;
            t.ThrottleWriteIOPSDevice = bio.ThrottleWriteIOPSDevice ?? t.ThrottleWriteIOPSDevice;
        }
        if (c.HugepageLimits is { Count: > 0 } hp) m.HugepageLimits = hp;
        if (c.Rdma is { Count: > 0 } rdma)
        {
            m.Rdma ??= new Dictionary<string, LinuxRdma>();
            foreach (var (dev, lim) in rdma) m.Rdma[dev] = lim;
        }
        if (c.Unified is { Count: > 0 } u)
        {
            m.Unified ??= new Dictionary<string, string>();
            foreach (var (k, v) in u) m.Unified[k] = v;
        }
        return m;
    }
}
