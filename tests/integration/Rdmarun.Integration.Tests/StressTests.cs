using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// Many lifecycles in a row with the GC churning in every rdmarun process: the posix_spawn +
/// nsexec path must never hang, and nothing may accumulate on the host.
/// </summary>
public class StressTests
{
    private static readonly int Cycles = int.TryParse(Environment.GetEnvironmentVariable("RDMARUN_STRESS_CYCLES"), out var n) ? n : 1000;

    [Fact]
    public void A_thousand_create_start_delete_cycles_under_gc_pressure_leak_nothing()
    {
        using var b = new Bundle("sh", "-c", "ls /proc/self/fd | wc -l > /tmp/fds");
        b.Config["root"]!["readonly"] = false;
        b.Save();
        var env = new Dictionary<string, string> { ["RDMARUN_TEST_GC_PRESSURE"] = "1" };
        int mountsBefore = HostTraces.MountCount();
        var firstFds = "";
        var lastFds = "";
        for (int i = 0; i < Cycles; i++)
        {
            var id = $"stress-{i}";
            var c = b.Runtime.RunWith(b.Dir, env, "create", id);
            Assert.True(c.ExitCode == 0, $"cycle {i} create: {c}");
            var s = b.Runtime.RunWith(b.Dir, env, "start", id);
            Assert.True(s.ExitCode == 0, $"cycle {i} start: {s}");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (JsonNode.Parse(b.Runtime.Run(b.Dir, "state", id).Stdout)!["status"]!.GetValue<string>() != "stopped")
            {
                Assert.True(DateTime.UtcNow < deadline, $"cycle {i}: container did not stop");
                Thread.Sleep(5);
            }
            var d = b.Runtime.RunWith(b.Dir, env, "delete", id);
            Assert.True(d.ExitCode == 0, $"cycle {i} delete: {d}");
            var fds = File.ReadAllText(Path.Combine(b.Rootfs, "tmp/fds")).Trim();
            if (i == 0) firstFds = fds;
            lastFds = fds;
        }
        Assert.Equal(mountsBefore, HostTraces.MountCount());
        Assert.Empty(Directory.EnumerateFileSystemEntries(b.Runtime.Root));
        Assert.Empty(HostTraces.CgroupDirs("stress-0"));
        Assert.Empty(HostTraces.CgroupDirs($"stress-{Cycles - 1}"));
        Assert.Empty(HostTraces.ProcessesWith("rdmarun:["));
        // The process sees exactly stdio (+ the directory fd ls opens): no runtime fd leaks in, first or last.
        Assert.Equal("4", firstFds);
        Assert.Equal("4", lastFds);
    }
}
