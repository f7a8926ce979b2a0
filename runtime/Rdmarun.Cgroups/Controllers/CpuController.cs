using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.cpu (shares, quota/period, burst, idle, realtime) → cpu.* files.</summary>
public static class CpuController
{
    public static bool Requested(LinuxCPU? c) =>
        c is not null && (c.Shares is not null || c.Quota is not null || c.Period is not null || c.Burst is not null
            || c.Idle is not null || c.RealtimeRuntime is not null || c.RealtimePeriod is not null);

    /// <summary>runc's linear map of v1 shares [2, 262144] onto v2 weight [1, 10000]; 0 means unset.</summary>
    public static ulong SharesToWeight(ulong shares)
    {
        if (shares == 0) return 0;
        shares = Math.Clamp(shares, 2UL, 262144UL);
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    public static void SetV1(string dir, LinuxCPU c)
    {
        if (c.Shares is { } shares && shares != 0) CgroupFile.Write(dir, "cpu.shares", shares.ToString());
        bool periodDeferred = false;
        if (c.Period is { } period && period != 0)
        {
            try { CgroupFile.Write(dir, "cpu.cfs_period_us", period.ToString()); }
            // The kernel rejects a smaller period while the old quota/new period would exceed the
            // parent's limit; setting the quota first then makes the same period valid.
            catch (CgroupException e) when (e.Errno == Native.EINVAL && c.Quota is not null) { periodDeferred = true; }
        }
        if (c.Quota is { } quota && quota != 0) CgroupFile.Write(dir, "cpu.cfs_quota_us", quota.ToString());
        if (periodDeferred) CgroupFile.Write(dir, "cpu.cfs_period_us", c.Period!.Value.ToString());
        if (c.Burst is { } burst) CgroupFile.Write(dir, "cpu.cfs_burst_us", burst.ToString());
        if (c.Idle is { } idle) CgroupFile.Write(dir, "cpu.idle", idle.ToString());
        // Period before runtime: the runtime must fit in the period the kernel currently holds.
        if (c.RealtimePeriod is { } rtp && rtp != 0) CgroupFile.Write(dir, "cpu.rt_period_us", rtp.ToString());
        if (c.RealtimeRuntime is { } rtr && rtr != 0) CgroupFile.Write(dir, "cpu.rt_runtime_us", rtr.ToString());
    }

    public static void SetV2(string dir, LinuxCPU c)
    {
        if (c.RealtimeRuntime is { } rtr && rtr != 0 || c.RealtimePeriod is { } rtp && rtp != 0)
            throw new CgroupException("cgroup: linux.resources.cpu.realtimeRuntime/realtimePeriod are not supported on cgroup v2");
        if (c.Shares is { } shares && shares != 0) CgroupFile.Write(dir, "cpu.weight", SharesToWeight(shares).ToString());
        if (CpuMax(c.Quota ?? 0, c.Period ?? 0) is { } max) CgroupFile.Write(dir, "cpu.max", max);
        if (c.Burst is { } burst) CgroupFile.Write(dir, "cpu.max.burst", burst.ToString());
        if (c.Idle is { } idle) CgroupFile.Write(dir, "cpu.idle", idle.ToString());
    }

    /// <summary>cpu.max value ("$QUOTA $PERIOD", quota "max" when not positive); null when neither is set.</summary>
    public static string? CpuMax(long quota, ulong period)
    {
        if (quota == 0 && period == 0) return null;
        var s = quota > 0 ? quota.ToString() : "max";
        return period != 0 ? s + " " + period : s;
    }
}
