using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Lifecycle;

/// <summary>The pure parts of ps, update and events: ps output filtering, resource merging, stats file parsing.</summary>
public class CgroupVerbTests
{
    private const string PsEf = """
        UID        PID  PPID  C STIME TTY          TIME CMD
        root         1     0  0 17:00 ?        00:00:01 /sbin/init
        root      4242     1  0 17:01 ?        00:00:00 sleep 300
        root      4243  4242  0 17:01 ?        00:00:00 sh -c x
        """;

    [Fact]
    public void Ps_keeps_the_header_and_the_containers_lines()
    {
        var output = Ps.Filter(PsEf.Replace("\r", ""), [4242, 4243]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("UID", lines[0]);
        Assert.Contains("sleep 300", lines[1]);
        Assert.Contains("sh -c x", lines[2]);
    }

    [Fact]
    public void Ps_finds_the_pid_column_wherever_it_is()
    {
        var output = Ps.Filter("COMMAND PID\nsleep 10\nsh 11\n", [11]);
        Assert.Equal("COMMAND PID\nsh 11\n", output);
    }

    [Fact]
    public void Ps_without_a_pid_column_fails_as_runc()
    {
        var e = Assert.Throws<RuntimeError>(() => Ps.Filter("COMMAND\nsleep\n", [1]));
        Assert.Equal("couldn't find PID field in ps output", e.Message);
    }

    [Fact]
    public void Update_replaces_only_what_it_sets()
    {
        var old = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 100, Swap = 200 },
            Pids = new LinuxPids { Limit = 10 },
            CPU = new LinuxCPU { Cpus = "0-1", Shares = 512 },
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        };
        var m = Update.Merge(old, new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 300 },
            CPU = new LinuxCPU { Cpus = "" , Quota = 5000 },
            Rdma = new() { ["rxe0"] = new LinuxRdma { HcaHandles = 2 } },
        });
        Assert.Equal(300, m.Memory!.Limit);
        Assert.Equal(200, m.Memory.Swap);
        Assert.Equal(10, m.Pids!.Limit);
        Assert.Equal("0-1", m.CPU!.Cpus);
        Assert.Equal(512UL, m.CPU.Shares);
        Assert.Equal(5000, m.CPU.Quota);
        Assert.Equal(2U, m.Rdma!["rxe0"].HcaHandles);
        Assert.Single(m.Devices!);
    }

    [Fact]
    public void Update_of_a_container_without_resources_starts_from_nothing()
    {
        var m = Update.Merge(null, new LinuxResources { Pids = new LinuxPids { Limit = 7 } });
        Assert.Equal(7, m.Pids!.Limit);
        Assert.Null(m.Memory);
    }

    private static string TempDir(params (string Name, string Text)[] files)
    {
        var d = Directory.CreateTempSubdirectory("rdmarun-stats-").FullName;
        foreach (var (n, t) in files) File.WriteAllText(Path.Combine(d, n), t);
        return d;
    }

    [Fact]
    public void V2_io_stat_becomes_runcs_read_and_write_entries()
    {
        var d = TempDir(("io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"));
        var b = EventStatsReader.Blkio(d, v2: true);
        Assert.Equal([("Read", 4096UL), ("Write", 8192UL)], b.IoServiceBytesRecursive!.Select(e => (e.Op!, e.Value)));
        Assert.Equal([("Read", 1UL), ("Write", 2UL)], b.IoServicedRecursive!.Select(e => (e.Op!, e.Value)));
        Assert.All(b.IoServiceBytesRecursive!, e => Assert.Equal((8UL, 0UL), (e.Major, e.Minor)));
        Directory.Delete(d, true);
    }

    [Fact]
    public void V1_blkio_skips_the_total_line()
    {
        var d = TempDir(("blkio.throttle.io_service_bytes_recursive", "8:0 Read 10\n8:0 Write 20\nTotal 30\n"));
        var b = EventStatsReader.Blkio(d, v2: false);
        Assert.Equal(2, b.IoServiceBytesRecursive!.Count);
        Assert.Null(b.IoServicedRecursive);
        Directory.Delete(d, true);
    }

    [Fact]
    public void Hugetlb_is_keyed_by_page_size_without_rsvd_files()
    {
        var d = TempDir(("hugetlb.2MB.current", "2097152\n"), ("hugetlb.2MB.events", "max 3\n"),
            ("hugetlb.2MB.rsvd.current", "0\n"), ("hugetlb.1GB.current", "0\n"));
        var h = EventStatsReader.Hugetlb(d, v2: true);
        Assert.Equal(["1GB", "2MB"], h.Keys.Order());
        Assert.Equal(2097152UL, h["2MB"].Usage);
        Assert.Equal(3UL, h["2MB"].Failcnt);
        Directory.Delete(d, true);
    }

    [Fact]
    public void Oom_and_stats_events_serialize_as_runc()
    {
        Assert.Equal("""{"type":"oom","id":"c1"}""", Events.Serialize(new Event { Type = "oom", Id = "c1" }));
        var json = Events.Serialize(new Event { Type = "stats", Id = "c1", Data = new EventStats() });
        Assert.Contains("\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0}", json);
        Assert.Contains("\"pids\":{}", json);
        Assert.DoesNotContain("rdma", json);
    }
}
