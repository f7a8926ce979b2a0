namespace Rdmarun.Cgroups;

/// <summary>Freeze/thaw through v1 freezer.state or v2 cgroup.freeze, waiting until the kernel reports completion.</summary>
public static class Freezer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static void SetV1(string dir, bool frozen)
    {
        string want = frozen ? "FROZEN" : "THAWED";
        var deadline = DateTime.UtcNow + Timeout;
        for (int i = 0; ; i++)
        {
            // Rewriting FROZEN restarts a freeze that stalled in FREEZING (a task in an
            // uninterruptible sleep); runc does the same.
            if (i % 50 == 0) CgroupFile.Write(dir, "freezer.state", want);
            var state = CgroupFile.Read(dir, "freezer.state").Trim();
            if (state == want) return;
            if (DateTime.UtcNow > deadline)
            {
                if (frozen) CgroupFile.Write(dir, "freezer.state", "THAWED");
                throw new CgroupException($"cgroup: {(frozen ? "freeze" : "thaw")} {dir}: still {state} after {Timeout.TotalSeconds} s");
            }
            Thread.Sleep(i < 10 ? 1 : 10);
        }
    }

    public static FreezerState GetV1(string dir) =>
        CgroupFile.TryRead(dir, "freezer.state")?.Trim() switch
        {
            "THAWED" => FreezerState.Thawed,
            "FROZEN" => FreezerState.Frozen,
            _ => FreezerState.Undefined, // FREEZING, or no freezer
        };

    public static void SetV2(string dir, bool frozen)
    {
        if (!CgroupFile.Exists(dir, "cgroup.freeze"))
            throw new CgroupException($"cgroup: freeze {dir}: cgroup.freeze missing (kernel older than 5.2)");
        CgroupFile.Write(dir, "cgroup.freeze", frozen ? "1" : "0");
        var deadline = DateTime.UtcNow + Timeout;
        for (int i = 0; ; i++)
        {
            // cgroup.freeze only requests; cgroup.events "frozen 1" says every task has stopped.
            if (GetV2(dir) == (frozen ? FreezerState.Frozen : FreezerState.Thawed)) return;
            if (DateTime.UtcNow > deadline)
            {
                if (frozen) CgroupFile.Write(dir, "cgroup.freeze", "0");
                throw new CgroupException($"cgroup: {(frozen ? "freeze" : "thaw")} {dir}: cgroup.events did not report frozen {(frozen ? 1 : 0)} within {Timeout.TotalSeconds} s");
            }
            Thread.Sleep(i < 10 ? 1 : 10);
        }
    }

    public static FreezerState GetV2(string dir)
    {
        var events = CgroupFile.ReadKeyValues(dir, "cgroup.events");
        if (!events.TryGetValue("frozen", out var f)) return FreezerState.Undefined;
        var requested = CgroupFile.TryRead(dir, "cgroup.freeze")?.Trim();
        if (f == 1) return FreezerState.Frozen;
        return requested == "1" ? FreezerState.Undefined : FreezerState.Thawed; // "1" requested but not done yet
    }
}
