using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.blockIO → v1 blkio.* files or v2 io.weight / io.bfq.weight / io.max.</summary>
public static class BlkioController
{
    public static bool Requested(LinuxBlockIO? b) =>
        b is not null && (b.Weight is not null || b.LeafWeight is not null || b.WeightDevice is { Count: > 0 }
            || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
            || b.ThrottleReadIOPSDevice is { Count: > 0 } || b.ThrottleWriteIOPSDevice is { Count: > 0 });

    /// <summary>runc's map of blkio weight [10, 1000] onto io.weight [1, 10000].</summary>
    public static ulong BlkioWeightToIoWeight(ushort weight) =>
        weight == 0 ? 0 : 1 + ((ulong)Math.Clamp((int)weight, 10, 1000) - 10) * 9999 / 990;

    public static void SetV1(string dir, LinuxBlockIO b)
    {
        // CFQ exposes blkio.weight; with BFQ (newer kernels) only blkio.bfq.weight exists.
        string weightFile = CgroupFile.Exists(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
        if (b.Weight is { } w && w != 0) WriteWeight(dir, weightFile, w.ToString());
        if (b.LeafWeight is { } lw && lw != 0) CgroupFile.Write(dir, "blkio.leaf_weight", lw.ToString());
        foreach (var d in b.WeightDevice ?? [])
        {
            if (d.Weight is { } dw) WriteWeight(dir, weightFile + "_device", $"{d.Major}:{d.Minor} {dw}");
            if (d.LeafWeight is { } dlw) CgroupFile.Write(dir, "blkio.leaf_weight_device", $"{d.Major}:{d.Minor} {dlw}");
        }
        Throttle(dir, "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice);
        Throttle(dir, "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice);
        Throttle(dir, "blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice);
        Throttle(dir, "blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice);
    }

    private static void WriteWeight(string dir, string file, string value)
    {
        if (!CgroupFile.Exists(dir, file))
            throw new CgroupException($"cgroup: linux.resources.blockIO weight needs the CFQ or BFQ io scheduler: {dir}/{file} does not exist");
        CgroupFile.Write(dir, file, value);
    }

    private static void Throttle(string dir, string file, List<LinuxThrottleDevice>? devices)
    {
        // One write per device: the kernel parses a single "major:minor rate" per write.
        foreach (var d in devices ?? []) CgroupFile.Write(dir, file, $"{d.Major}:{d.Minor} {d.Rate}");
    }

    public static void SetV2(string dir, LinuxBlockIO b)
    {
        bool bfq = CgroupFile.Exists(dir, "io.bfq.weight");
        if (b.Weight is { } w && w != 0)
        {
            // io.bfq.weight keeps blkio's 1..1000 range; io.weight uses 1..10000.
            if (bfq) CgroupFile.Write(dir, "io.bfq.weight", w.ToString());
            else CgroupFile.Write(dir, "io.weight", "default " + BlkioWeightToIoWeight(w));
        }
        foreach (var d in b.WeightDevice ?? [])
        {
            if (d.Weight is not { } dw) continue;
            if (!bfq) throw new CgroupException($"cgroup: linux.resources.blockIO.weightDevice needs the BFQ io scheduler: {dir}/io.bfq.weight does not exist");
            CgroupFile.Write(dir, "io.bfq.weight", $"{d.Major}:{d.Minor} {dw}");
        }
        IoMax(dir, "rbps", b.ThrottleReadBpsDevice);
        IoMax(dir, "wbps", b.ThrottleWriteBpsDevice);
        IoMax(dir, "riops", b.ThrottleReadIOPSDevice);
        IoMax(dir, "wiops", b.ThrottleWriteIOPSDevice);
    }

    private static void IoMax(string dir, string key, List<LinuxThrottleDevice>? devices)
    {
        // v1 uses rate 0 to remove a limit; io.max spells that "max".
        foreach (var d in devices ?? [])
            CgroupFile.Write(dir, "io.max", $"{d.Major}:{d.Minor} {key}={(d.Rate == 0 ? "max" : d.Rate.ToString())}");
    }
}
