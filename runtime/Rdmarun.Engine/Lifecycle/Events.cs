using System.Text.Json;
using Rdmarun.Cgroups;
using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Rdma;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `events`: the container's cgroup statistics as runc prints them, once (--stats) or every
/// interval, plus an "oom" event whenever the OOM killer killed a process of the container.
/// </summary>
public static class Events
{
    public static string StatsJson(GlobalOptions g, string id)
    {
        var (store, r, cg) = Open(g, id);
        if (Status.Of(r, store) == ContainerStatus.Stopped) throw new RuntimeError($"container with id {id} is not running");
        return Serialize(new Event { Type = "stats", Id = id, Data = Read(r, cg) });
    }

    /// <summary>Emits events until the container stops (or is deleted); returns 0 then.</summary>
    public static int Stream(GlobalOptions g, string id, TimeSpan interval, Action<string> emit)
    {
        var (store, r, cg) = Open(g, id);
        if (Status.Of(r, store) == ContainerStatus.Stopped) throw new RuntimeError($"container with id {id} is not running");
        if (interval <= TimeSpan.Zero) throw new RuntimeError("duration of interval must be greater than 0");
        ulong ooms = SafeOomCount(cg);
        // OOM kills are noticed by polling memory.events/oom_control, more often than stats are printed.
        var poll = TimeSpan.FromMilliseconds(Math.Min(200, interval.TotalMilliseconds));
        var nextStats = DateTime.UtcNow + interval;
        while (true)
        {
            Thread.Sleep(poll);
            if (!store.Exists(id) || Status.Of(r, store) == ContainerStatus.Stopped) return 0;
            ulong now = SafeOomCount(cg);
            if (now > ooms) emit(Serialize(new Event { Type = "oom", Id = id }));
            ooms = now;
            if (DateTime.UtcNow < nextStats) continue;
            nextStats += interval;
            EventStats stats;
            try { stats = Read(r, cg); }
            catch (Exception e) when (e is CgroupException or IOException)
            {
                if (!cg.Exists()) return 0;
                throw;
            }
            emit(Serialize(new Event { Type = "stats", Id = id, Data = stats }));
        }
    }

    /// <summary>The cgroup's statistics plus the granted RDMA devices' per-port QP traffic.</summary>
    private static EventStats Read(ContainerRecord r, ContainerCgroup cg)
    {
        var stats = EventStatsReader.Read(cg);
        RdmaTrafficStats.AddTo(stats, r, cg);
        return stats;
    }

    public static string Serialize(Event e) => JsonSerializer.Serialize(e, EventJson.Default.Event);

    private static ulong SafeOomCount(ContainerCgroup cg)
    {
        try { return cg.Stats().OomKillCount; }
        catch (Exception e) when (e is CgroupException or IOException) { return 0; }
    }

    private static (StateStore, ContainerRecord, ContainerCgroup) Open(GlobalOptions g, string id)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(id);
        var r = store.Load(id);
        return (store, r, Pause.Load(r));
    }
}
