using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// The cgroup verbs on this host's own cgroups (hybrid: v1 controllers plus the unified tree):
/// limits land in the files, pause/resume/update/ps/events behave as runc's, delete cleans up.
/// </summary>
public class CgroupTests
{
    /// <summary>Runs `sleep 300` detached with the given linux.resources; returns the id.</summary>
    private static string RunDetached(Bundle b, JsonObject? resources = null, params string[] args)
    {
        b.Args(args.Length > 0 ? args : ["sleep", "300"]);
        if (resources is not null)
        {
            var res = b.Linux["resources"]?.AsObject() ?? new JsonObject();
            foreach (var (k, v) in resources.ToList()) { resources.Remove(k); res[k] = v; }
            b.Linux["resources"] = res;
        }
        b.Save();
        var id = b.NewId("cg");
        var r = b.Rt("run", "-d", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return id;
    }

    private static int PidOf(Bundle b, string id) => JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
    private static string StatusOf(Bundle b, string id) => JsonNode.Parse(b.Rt("state", id).Stdout)!["status"]!.GetValue<string>();

    /// <summary>The v1 directory of <paramref name="controller"/> holding the container's init (from /proc/PID/cgroup).</summary>
    private static string V1Dir(int pid, string controller)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains(controller)) return $"/sys/fs/cgroup/{parts[1]}{parts[2]}";
        }
        throw new InvalidOperationException($"pid {pid} is in no {controller} hierarchy");
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();

    [Fact]
    public void Memory_and_pids_limits_are_written_to_the_v1_files()
    {
        using var b = new Bundle();
        var id = RunDetached(b, new JsonObject
        {
            ["memory"] = new JsonObject { ["limit"] = 64L << 20 },
            ["pids"] = new JsonObject { ["limit"] = 10 },
        });
        var pid = PidOf(b, id);
        Assert.Equal((64L << 20).ToString(), Read(V1Dir(pid, "memory"), "memory.limit_in_bytes"));
        Assert.Equal("10", Read(V1Dir(pid, "pids"), "pids.max"));
    }

    [Fact]
    public void Pause_freezes_and_resume_thaws_with_runc_errors_otherwise()
    {
        using var b = new Bundle();
        var id = RunDetached(b);
        var freezer = V1Dir(PidOf(b, id), "freezer");
        var notPaused = b.Rt("resume", id);
        Assert.Equal(1, notPaused.ExitCode);
        Assert.Contains("container not paused", notPaused.Stderr);

        Assert.Equal(0, b.Rt("pause", id).ExitCode);
        Assert.Equal("paused", StatusOf(b, id));
        Assert.Equal("FROZEN", Read(freezer, "freezer.state"));
        var twice = b.Rt("pause", id);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("container not running", twice.Stderr);

        Assert.Equal(0, b.Rt("resume", id).ExitCode);
        Assert.Equal("running", StatusOf(b, id));
        Assert.Equal("THAWED", Read(freezer, "freezer.state"));
    }

    [Fact]
    public void Pause_of_a_stopped_container_fails()
    {
        using var b = new Bundle("true");
        var id = b.NewId("cg");
        Assert.Equal(0, b.Rt("run", "-d", id).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (StatusOf(b, id) != "stopped" && DateTime.UtcNow < deadline) Thread.Sleep(50);
        var r = b.Rt("pause", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("container not running", r.Stderr);
    }

    [Fact]
    public void Update_changes_limits_of_a_running_container_from_flags_and_from_json()
    {
        using var b = new Bundle();
        var id = RunDetached(b, new JsonObject { ["pids"] = new JsonObject { ["limit"] = 10 } });
        var pid = PidOf(b, id);
        var r = b.Rt("update", "--pids-limit", "20", "--memory", "128m", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("20", Read(V1Dir(pid, "pids"), "pids.max"));
        Assert.Equal((128L << 20).ToString(), Read(V1Dir(pid, "memory"), "memory.limit_in_bytes"));

        var json = Path.Combine(b.Dir, "resources.json");
        File.WriteAllText(json, """{"pids": {"limit": 15}, "cpu": {"shares": 512}}""");
        r = b.Rt("update", "-r", json, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("15", Read(V1Dir(pid, "pids"), "pids.max"));
        Assert.Equal("512", Read(V1Dir(pid, "cpu"), "cpu.shares"));
        // The memory limit set before is kept: update merges.
        Assert.Equal((128L << 20).ToString(), Read(V1Dir(pid, "memory"), "memory.limit_in_bytes"));
    }

    [Fact]
    public void Update_rejects_a_malformed_size()
    {
        using var b = new Bundle();
        var id = RunDetached(b);
        var r = b.Rt("update", "--memory", "12q", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("invalid value \"12q\" for flag -memory", r.Stderr);
    }

    [Fact]
    public void Ps_lists_the_containers_host_pids_as_json_and_as_a_ps_table()
    {
        using var b = new Bundle();
        var id = RunDetached(b, null, "sh", "-c", "sleep 300 & sleep 301 & wait");
        var pid = PidOf(b, id);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonArray pids;
        do pids = JsonNode.Parse(b.Rt("ps", "--format", "json", id).Stdout)!.AsArray();
        while (pids.Count < 3 && DateTime.UtcNow < deadline && Sleep());
        var list = pids.Select(p => p!.GetValue<int>()).ToList();
        Assert.Contains(pid, list);
        Assert.Equal(3, list.Count);

        var table = b.Rt("ps", id);
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("PID", lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines.Skip(1), l => l.Contains("sleep 301"));

        var custom = b.Rt("ps", id, "-o", "pid,comm");
        Assert.Equal(["PID", "COMMAND"], custom.Stdout.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static bool Sleep() { Thread.Sleep(100); return true; }

    [Fact]
    public void Events_stats_prints_runcs_json_with_limits_and_usage()
    {
        using var b = new Bundle();
        var id = RunDetached(b, new JsonObject
        {
            ["memory"] = new JsonObject { ["limit"] = 64L << 20 },
            ["pids"] = new JsonObject { ["limit"] = 12 },
        });
        var r = b.Rt("events", "--stats", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        var e = JsonNode.Parse(r.Stdout)!;
        Assert.Equal("stats", e["type"]!.GetValue<string>());
        Assert.Equal(id, e["id"]!.GetValue<string>());
        var data = e["data"]!;
        Assert.Equal(64UL << 20, data["memory"]!["usage"]!["limit"]!.GetValue<ulong>());
        Assert.True(data["memory"]!["usage"]!["usage"]!.GetValue<ulong>() > 0);
        Assert.Equal(12UL, data["pids"]!["limit"]!.GetValue<ulong>());
        Assert.Equal(1UL, data["pids"]!["current"]!.GetValue<ulong>());
        Assert.True(data["cpu"]!["usage"]!["total"]!.GetValue<ulong>() > 0);
        Assert.Equal(0UL, data["memory"]!["raw"]!["oom_kill"]!.GetValue<ulong>());
        foreach (var key in new[] { "blkio", "hugetlb", "cpuset", "intel_rdt" }) Assert.NotNull(data[key]);
    }

    [Fact]
    public void An_oom_killed_process_shows_in_events_stats()
    {
        using var b = new Bundle();
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "bin", "dd"), "busybox");
        // dd's 64 MiB buffer cannot fit under a 32 MiB limit: the kernel kills dd, the shell lives on.
        var id = RunDetached(b, new JsonObject { ["memory"] = new JsonObject { ["limit"] = 32L << 20 } },
            "sh", "-c", "dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 300");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ulong kills;
        do kills = JsonNode.Parse(b.Rt("events", "--stats", id).Stdout)!["data"]!["memory"]!["raw"]!["oom_kill"]!.GetValue<ulong>();
        while (kills == 0 && DateTime.UtcNow < deadline && Sleep());
        Assert.True(kills >= 1, "no OOM kill recorded");
    }

    [Fact]
    public void Events_of_a_stopped_container_fails_and_the_stream_ends_when_it_stops()
    {
        using var b = new Bundle("sleep", "2");
        var id = b.NewId("cg");
        b.Save();
        Assert.Equal(0, b.Rt("run", "-d", id).ExitCode);
        var stream = b.Rt("events", "--interval", "500ms", id);
        Assert.Equal(0, stream.ExitCode);
        var lines = stream.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal("stats", JsonNode.Parse(l)!["type"]!.GetValue<string>()));
        var after = b.Rt("events", "--stats", id);
        Assert.Equal(1, after.ExitCode);
        Assert.Contains($"container with id {id} is not running", after.Stderr);
    }

    [Fact]
    public void Delete_removes_the_containers_cgroup_directories()
    {
        using var b = new Bundle();
        var id = RunDetached(b, new JsonObject { ["pids"] = new JsonObject { ["limit"] = 10 } });
        var pid = PidOf(b, id);
        var dirs = new[] { "memory", "pids", "freezer", "cpu" }.Select(c => V1Dir(pid, c)).ToList();
        Assert.All(dirs, d => Assert.True(Directory.Exists(d), d));
        Assert.Equal(0, b.Rt("delete", "--force", id).ExitCode);
        Assert.All(dirs, d => Assert.False(Directory.Exists(d), d + " still exists"));
    }
}
