namespace Rdmarun.Engine.Cgroups;

/// <summary>
/// Refuses a container cgroup that already holds processes. Without a linux.cgroupsPath the cgroup is
/// named after the id alone, so the same id under two --root dirs would share one cgroup, and deleting
/// either container would kill the other's processes.
/// </summary>
public static class CgroupInUse
{
    public static void ThrowIfBusy(ContainerCgroup cg, string id)
    {
        if (!cg.Exists()) return;
        IReadOnlyList<int> pids;
        try { pids = cg.Pids(); }
        catch (Exception) { return; } // an unreadable cgroup is reported by Apply, with its path
        if (pids.Count == 0) return;
        var where = cg.Paths.Values.FirstOrDefault(Directory.Exists) ?? "";
        throw new RuntimeError($"cgroup {where} of container {id} already holds {pids.Count} process(es) " +
            "(the same id under another --root?): choose another id or set linux.cgroupsPath");
    }
}
