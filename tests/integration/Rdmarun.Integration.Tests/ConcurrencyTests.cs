using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// Engines call the runtime concurrently: many containers at once, racing commands on one id, two
/// --root dirs side by side. No corrupt state, no leak, and every refusal says why.
/// </summary>
public class ConcurrencyTests
{
    private const string Marker = "concurrency-marker-2b8d";

    /// <summary>Why a racing command may be refused; anything else on stderr is a bug (or a message to improve).</summary>
    private static readonly Regex KnownRefusal = new(
        "container [\\w.-]+ does not exist" +
        "|cannot start a container that has stopped" +
        "|cannot start an already running container" +
        "|cannot start container: its init process exited before start" +
        "|cannot delete container [\\w.-]+ that is not stopped: (running|created)" +
        "|container not running");

    /// <summary>Runs every job on its own thread at once; returns their results in order.</summary>
    private static T[] AllAtOnce<T>(int n, Func<int, T> job)
    {
        var results = new T[n];
        using var go = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, n).Select(i => new Thread(() => { go.Wait(); results[i] = job(i); })).ToList();
        threads.ForEach(t => t.Start());
        go.Set();
        threads.ForEach(t => t.Join());
        return results;
    }

    /// <summary>Runs the jobs with at most <paramref name="width"/> at a time.</summary>
    private static T[] Bounded<T>(int n, int width, Func<int, T> job)
    {
        var results = new T[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = width }, i => results[i] = job(i));
        return results;
    }

    [Fact]
    public void A_hundred_containers_created_at_once_then_started_and_deleted_in_parallel_leave_nothing()
    {
        const int N = 100;
        using var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        // Each create waits in its prestart hook until all N are there: proof that all N are in flight together.
        var arrived = Directory.CreateDirectory(Path.Combine(b.Dir, "arrived")).FullName;
        var gate = Path.Combine(b.Dir, "gate");
        b.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", $"mktemp -p {arrived} >/dev/null; while [ ! -e {gate} ]; do sleep 0.1; done"),
                ["timeout"] = 300,
            }),
        };
        b.Save();
        var ids = Enumerable.Range(0, N).Select(_ => b.NewId("par")).ToList();

        Rdmarun.Result[] created = [];
        var creator = new Thread(() => created = AllAtOnce(N, i => b.Rt("create", ids[i])));
        creator.Start();
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (Directory.GetFiles(arrived).Length < N && creator.IsAlive && DateTime.UtcNow < deadline) Thread.Sleep(100);
        int together = Directory.GetFiles(arrived).Length;
        File.WriteAllText(gate, "");
        creator.Join();
        Assert.Equal(N, together);
        Assert.All(created, r => Assert.True(r.ExitCode == 0, r.ToString()));

        var started = Bounded(N, 8, i => b.Rt("start", ids[i]));
        Assert.All(started, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var list = JsonNode.Parse(b.Rt("list", "--format", "json").Stdout)!.AsArray();
        Assert.Equal(N, list.Count);
        Assert.All(list, c => Assert.Equal("running", c!["status"]!.GetValue<string>()));

        var deleted = Bounded(N, 16, i => b.Rt("delete", "--force", ids[i]));
        Assert.All(deleted, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Empty(LeakCheck.Find(b.Dir, b.Runtime.Root, ids, Marker));
        Assert.Empty(Directory.EnumerateFileSystemEntries(b.Runtime.Root));
    }

    [Fact]
    public void Start_delete_kill_and_state_racing_on_one_id_never_corrupt_it_and_refusals_say_why()
    {
        using var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        var ids = new List<string>();
        var unexplained = new List<string>();
        for (int round = 0; round < 12; round++)
        {
            var id = b.NewId("race");
            ids.Add(id);
            Assert.Equal(0, b.Rt("create", id).ExitCode);
            string[][] commands = [["start", id], ["delete", id], ["kill", id, "KILL"], ["state", id], ["state", id], ["start", id]];
            // Round by round the order differs: a different command tends to win.
            var order = commands.Skip(round % commands.Length).Concat(commands.Take(round % commands.Length)).ToArray();
            var results = AllAtOnce(order.Length, i => (Args: order[i], Result: b.Rt(order[i])));
            foreach (var (args, r) in results)
            {
                var what = $"round {round}: {string.Join(' ', args)} → {r}";
                if (args[0] == "state" && r.ExitCode == 0)
                {
                    var status = JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>();
                    Assert.Contains(status, new[] { "created", "running", "stopped" });
                }
                else if (r.ExitCode != 0 && !KnownRefusal.IsMatch(r.Stderr)) unexplained.Add(what);
                Assert.DoesNotContain("Unhandled", r.Stderr);
            }
            // Whatever won, the container is readable or clearly gone, and delete --force finishes it.
            var s = b.Rt("state", id);
            Assert.True(s.ExitCode == 0 ? JsonNode.Parse(s.Stdout) is not null : s.Stderr.Contains($"container {id} does not exist"), s.ToString());
            var d = b.Rt("delete", "--force", id);
            Assert.True(d.ExitCode == 0, d.ToString());
        }
        Assert.Empty(unexplained);
        Assert.Empty(LeakCheck.Find(b.Dir, b.Runtime.Root, ids, Marker));
    }

    [Fact]
    public void Two_roots_side_by_side_keep_their_containers_apart()
    {
        using var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        var a = new Rdmarun(Path.Combine(b.Dir, "root-a"));
        var c = new Rdmarun(Path.Combine(b.Dir, "root-b"));
        var idsA = Enumerable.Range(0, 5).Select(i => $"side-a{i}-{Guid.NewGuid():N}"[..16]).ToList();
        var idsB = Enumerable.Range(0, 5).Select(i => $"side-b{i}-{Guid.NewGuid():N}"[..16]).ToList();
        try
        {
            var made = AllAtOnce(10, i => i < 5 ? a.Run(b.Dir, "run", "--detach", idsA[i]) : c.Run(b.Dir, "run", "--detach", idsB[i - 5]));
            Assert.All(made, r => Assert.True(r.ExitCode == 0, r.ToString()));
            Assert.Equal(idsA.Order(), a.Run(b.Dir, "list", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
            Assert.Equal(idsB.Order(), c.Run(b.Dir, "list", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
            // One root does not know the other's containers.
            var cross = a.Run(b.Dir, "delete", "--force", idsB[0]);
            Assert.Equal(0, cross.ExitCode); // --force on an unknown id is a no-op (runc)
            Assert.Equal("running", JsonNode.Parse(c.Run(b.Dir, "state", idsB[0]).Stdout)!["status"]!.GetValue<string>());

            // Deleting all of root a, in parallel with state queries on root b: b is untouched.
            var mixed = AllAtOnce(10, i => i < 5 ? a.Run(b.Dir, "delete", "--force", idsA[i]) : c.Run(b.Dir, "state", idsB[i - 5]));
            Assert.All(mixed, r => Assert.True(r.ExitCode == 0, r.ToString()));
            Assert.All(mixed.Skip(5), r => Assert.Equal("running", JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>()));
        }
        finally
        {
            foreach (var id in idsA) a.Run(b.Dir, "delete", "--force", id);
            foreach (var id in idsB) c.Run(b.Dir, "delete", "--force", id);
        }
        Assert.Empty(LeakCheck.FindOnce(b.Dir, a.Root, idsA, []));
        Assert.Empty(LeakCheck.Find(b.Dir, c.Root, idsB, Marker));
    }

    [Fact]
    public void The_same_id_under_a_second_root_is_refused_while_the_first_runs()
    {
        using var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        var other = new Rdmarun(Path.Combine(b.Dir, "root-2"));
        var id = b.NewId("twin");
        try
        {
            Assert.Equal(0, b.Rt("run", "--detach", id).ExitCode);
            var r = other.Run(b.Dir, "create", id);
            Assert.Equal(1, r.ExitCode);
            Assert.Matches($"cgroup /sys/fs/cgroup/\\S+ of container {id} already holds \\d+ process\\(es\\) \\(the same id under another --root\\?\\): choose another id or set linux.cgroupsPath", r.Stderr);
            // The refused create did not touch the first container's cgroup.
            Assert.Equal("running", JsonNode.Parse(b.Rt("state", id).Stdout)!["status"]!.GetValue<string>());
            Assert.False(Directory.Exists(Path.Combine(other.Root, id)));
        }
        finally { b.Rt("delete", "--force", id); }
        Assert.Empty(LeakCheck.Find(b, id, Marker));
    }
}
