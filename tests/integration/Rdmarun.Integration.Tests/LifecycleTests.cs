using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

public class LifecycleTests
{
    private static string StatusOf(Bundle b, string id)
    {
        var r = b.Rt("state", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>();
    }

    [Fact]
    public void Run_prints_the_process_output_and_returns_its_exit_status()
    {
        using var b = new Bundle("sh", "-c", "echo out; echo err >&2; exit 3");
        var r = b.Rt("run", b.NewId());
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public void Run_of_a_process_killed_by_a_signal_returns_128_plus_the_signal()
    {
        // Not pid 1: the kernel shields a pid namespace's init from signals sent from inside.
        using var b = new Bundle("sh", "-c", "kill -9 $$");
        var ns = b.Linux["namespaces"]!.AsArray();
        ns.Remove(ns.First(n => n!["type"]!.GetValue<string>() == "pid"));
        b.Save();
        Assert.Equal(137, b.Rt("run", b.NewId()).ExitCode);
    }

    [Fact]
    public void Create_start_state_and_delete_walk_through_the_statuses()
    {
        // The process runs until the test lets it go: a fixed sleep could end before the second start
        // on a loaded machine, and the "already running" check would then see a stopped container.
        using var b = new Bundle("sh", "-c", "while [ ! -e /go ]; do sleep 0.05; done");
        var id = b.NewId();
        var c = b.Rt("create", id);
        Assert.True(c.ExitCode == 0, c.ToString());
        Assert.Equal("created", StatusOf(b, id));
        var state = JsonNode.Parse(b.Rt("state", id).Stdout)!;
        Assert.Equal(id, state["id"]!.GetValue<string>());
        Assert.Equal(b.Dir, state["bundle"]!.GetValue<string>());
        Assert.True(state["pid"]!.GetValue<int>() > 0);
        Assert.Equal(0, b.Rt("start", id).ExitCode);
        Assert.Equal("running", StatusOf(b, id));
        var again = b.Rt("start", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("cannot start an already running container", again.Stderr);
        File.WriteAllText(Path.Combine(b.Rootfs, "go"), "");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (StatusOf(b, id) != "stopped" && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Equal("stopped", StatusOf(b, id));
        Assert.Equal(0, JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>());
        Assert.Equal(0, b.Rt("delete", id).ExitCode);
        var gone = b.Rt("state", id);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains($"container {id} does not exist", gone.Stderr);
    }

    [Fact]
    public void Delete_refuses_a_running_container_without_force_and_force_leaves_nothing()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        Assert.Equal(0, b.Rt("run", "--detach", id).ExitCode);
        Assert.Equal("running", StatusOf(b, id));
        int pid = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        Assert.NotEmpty(HostTraces.CgroupDirs(id));
        var refused = b.Rt("delete", id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"cannot delete container {id} that is not stopped: running", refused.Stderr);
        Assert.Equal(0, b.Rt("delete", "--force", id).ExitCode);
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z"), "init still alive");
        Assert.Empty(HostTraces.CgroupDirs(id));
        Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, id)));
    }

    [Fact]
    public void Kill_accepts_signal_names_and_numbers()
    {
        // The init is pid 1 of its namespace: only signals it handles (or SIGKILL) stop it.
        using var b = new Bundle("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
        foreach (var sig in new[] { "KILL", "SIGTERM", "TERM", "15", "9" })
        {
            var id = b.NewId();
            Assert.Equal(0, b.Rt("run", "-d", id).ExitCode);
            Assert.Equal(0, b.Rt("kill", id, sig).ExitCode);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (StatusOf(b, id) != "stopped" && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.Equal("stopped", StatusOf(b, id));
            Assert.Equal(0, b.Rt("delete", id).ExitCode);
        }
        var bad = b.Rt("kill", "nosuch", "KILL");
        Assert.Equal(1, bad.ExitCode);
    }

    [Fact]
    public void A_second_create_of_one_id_fails_and_leaves_the_first_intact()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        Assert.Equal(0, b.Rt("create", id).ExitCode);
        var second = b.Rt("create", id);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"container with id {id} already exists", second.Stderr);
        Assert.Equal("created", StatusOf(b, id));
        Assert.Equal(0, b.Rt("delete", id).ExitCode);
    }

    [Fact]
    public void List_shows_containers_as_table_json_and_ids()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        Assert.Equal(0, b.Rt("create", id).ExitCode);
        var table = b.Rt("list");
        Assert.StartsWith("ID", table.Stdout);
        Assert.Contains(id, table.Stdout);
        Assert.Equal(id + "\n", b.Rt("list", "-q").Stdout);
        var json = JsonNode.Parse(b.Rt("list", "--format", "json").Stdout)!.AsArray();
        Assert.Equal("created", json.Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Pid_file_holds_the_init_pid()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        var pidFile = Path.Combine(b.Dir, "pid");
        Assert.Equal(0, b.Rt("create", "--pid-file", pidFile, id).ExitCode);
        int pid = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        Assert.Equal(pid.ToString(), File.ReadAllText(pidFile));
    }
}
