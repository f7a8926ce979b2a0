using Rdmarun.Cgroups;
using Rdmarun.Engine.Cgroups;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Fills runc's stats shape from the cgroup: the manager's <see cref="CgroupStats"/> plus the files
/// it does not read (memory.stat, swap, block I/O, hugetlb), from v1 controller dirs or the cgroup2 dir.
/// </summary>
public static class EventStatsReader
{
    public static EventStats Read(ContainerCgroup cg)
    {
        var s = cg.Stats();
        var paths = cg.Paths;
        bool v2 = cg.Mode == CgroupMode.Unified;
        string? Dir(string v1Key) => v2 ? paths.GetValueOrDefault("") : paths.GetValueOrDefault(v1Key);
        var memDir = Dir("memory");
        var raw = memDir is null ? new Dictionary<string, ulong>() : CgroupFile.ReadKeyValues(memDir, "memory.stat");
        // rdmarun addition: the OOM kill count, so callers can tell a hog was killed (runc reports it only as an "oom" event).
        raw.TryAdd("oom_kill", s.OomKillCount);
        var stats = new EventStats
        {
            Cpu = new EventCpu
            {
                Usage = new EventCpuUsage { Total = s.Cpu.UsageNanoseconds, Kernel = s.Cpu.SystemNanoseconds, User = s.Cpu.UserNanoseconds },
                Throttling = new EventThrottling { ThrottledPeriods = s.Cpu.ThrottledPeriods, ThrottledTime = s.Cpu.ThrottledNanoseconds },
            },
            Memory = new EventMemory
            {
                Cache = raw.GetValueOrDefault(v2 ? "file" : "cache"),
                Usage = new EventMemoryEntry
                {
                    Usage = s.Memory.Usage, Limit = s.Memory.Limit ?? ulong.MaxValue,
                    Failcnt = s.Memory.Failcnt, Max = s.Memory.MaxUsage ?? 0,
                },
                Swap = memDir is null ? new() : Swap(memDir, v2),
                Raw = raw,
            },
            Pids = new EventPids { Current = s.Pids.Current, Limit = s.Pids.Limit ?? 0 },
            Blkio = Dir(v2 ? "" : "blkio") is { } bdir ? Blkio(bdir, v2) : new(),
            Hugetlb = HugetlbDir(paths, v2) is { } h ? Hugetlb(h.Dir, h.V2) : new(),
            Rdma = s.Rdma.Count == 0 ? null : s.Rdma.ToDictionary(kv => kv.Key, kv => new EventRdma
            {
                HcaHandles = kv.Value.HcaHandlesCurrent, HcaObjects = kv.Value.HcaObjectsCurrent,
                HcaHandlesLimit = kv.Value.HcaHandlesMax, HcaObjectsLimit = kv.Value.HcaObjectsMax,
            }),
        };
        return stats;
    }

    private static EventMemoryEntry Swap(string dir, bool v2)
    {
        if (v2)
        {
            if (!CgroupFile.Exists(dir, "memory.swap.current")) return new();
            return new EventMemoryEntry
            {
                Usage = CgroupFile.ReadUInt64(dir, "memory.swap.current"),
                Limit = CgroupFile.ReadUInt64OrMax(dir, "memory.swap.max") ?? ulong.MaxValue,
                Failcnt = CgroupFile.ReadKeyValues(dir, "memory.swap.events").GetValueOrDefault("max"),
            };
        }
        if (!CgroupFile.Exists(dir, "memory.memsw.usage_in_bytes")) return new();
        return new EventMemoryEntry
        {
            Usage = CgroupFile.ReadUInt64(dir, "memory.memsw.usage_in_bytes"),
            Limit = CgroupFile.ReadUInt64(dir, "memory.memsw.limit_in_bytes"),
            Max = CgroupFile.ReadUInt64(dir, "memory.memsw.max_usage_in_bytes"),
            Failcnt = CgroupFile.ReadUInt64(dir, "memory.memsw.failcnt"),
        };
    }

    /// <summary>v2 io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..."; v1 blkio.throttle.*_recursive "8:0 Read 123".</summary>
    public static EventBlkio Blkio(string dir, bool v2)
    {
        var bytes = new List<EventBlkioEntry>();
        var ios = new List<EventBlkioEntry>();
        if (v2)
        {
            foreach (var line in Lines(dir, "io.stat"))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 0 || !TryDevice(f[0], out var maj, out var min)) continue;
                foreach (var kv in f.Skip(1))
                {
                    var eq = kv.IndexOf('=');
                    if (eq < 0 || !ulong.TryParse(kv[(eq + 1)..], out var v)) continue;
                    var (list, op) = kv[..eq] switch
                    {
                        "rbytes" => (bytes, "Read"), "wbytes" => (bytes, "Write"),
                        "rios" => (ios, "Read"), "wios" => (ios, "Write"),
                        _ => (null, ""),
                    };
                    list?.Add(new EventBlkioEntry { Major = maj, Minor = min, Op = op, Value = v });
                }
            }
        }
        else
        {
            V1Blkio(dir, "blkio.throttle.io_service_bytes_recursive", bytes);
            V1Blkio(dir, "blkio.throttle.io_serviced_recursive", ios);
        }
        return new EventBlkio { IoServiceBytesRecursive = bytes.Count == 0 ? null : bytes, IoServicedRecursive = ios.Count == 0 ? null : ios };
    }

    private static void V1Blkio(string dir, string file, List<EventBlkioEntry> into)
    {
        foreach (var line in Lines(dir, file))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3 && TryDevice(f[0], out var maj, out var min) && ulong.TryParse(f[2], out var v))
                into.Add(new EventBlkioEntry { Major = maj, Minor = min, Op = f[1], Value = v });
        }
    }

    /// <summary>Hugetlb lives in a v1 hierarchy, or (hybrid hosts like this one) in the cgroup2 tree.</summary>
    private static (string Dir, bool V2)? HugetlbDir(Dictionary<string, string> paths, bool v2)
    {
        if (!v2 && paths.TryGetValue("hugetlb", out var d)) return (d, false);
        return paths.TryGetValue("", out var u) ? (u, true) : null;
    }

    /// <summary>By page size as the kernel names it ("2MB", "1GB").</summary>
    public static Dictionary<string, EventHugetlb> Hugetlb(string dir, bool v2)
    {
        var result = new Dictionary<string, EventHugetlb>();
        if (!Directory.Exists(dir)) return result;
        var suffix = v2 ? ".current" : ".usage_in_bytes";
        foreach (var file in Directory.EnumerateFiles(dir, "hugetlb.*" + suffix).Select(Path.GetFileName).Order())
        {
            var size = file![8..^suffix.Length];
            if (size.Contains('.')) continue; // hugetlb.2MB.rsvd.current and the like
            result[size] = v2
                ? new EventHugetlb
                {
                    Usage = CgroupFile.ReadUInt64(dir, file),
                    Failcnt = CgroupFile.ReadKeyValues(dir, $"hugetlb.{size}.events").GetValueOrDefault("max"),
                }
                : new EventHugetlb
                {
                    Usage = CgroupFile.ReadUInt64(dir, file),
                    Max = CgroupFile.ReadUInt64(dir, $"hugetlb.{size}.max_usage_in_bytes"),
                    Failcnt = CgroupFile.ReadUInt64(dir, $"hugetlb.{size}.failcnt"),
                };
        }
        return result;
    }

    private static IEnumerable<string> Lines(string dir, string file) =>
        (CgroupFile.TryRead(dir, file) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static bool TryDevice(string s, out ulong major, out ulong minor)
    {
        major = minor = 0;
        var c = s.IndexOf(':');
        return c > 0 && ulong.TryParse(s[..c], out major) && ulong.TryParse(s[(c + 1)..], out minor);
    }
}
