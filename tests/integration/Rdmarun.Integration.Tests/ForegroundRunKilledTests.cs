using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// A foreground `run` that is SIGKILLed (scancel under proctrack/cgroup, a launcher's timeout)
/// must not leave the container running with the caller's stdio: the caller's pipe would never
/// reach end of file (tests/hpc/FINDINGS.md F4). The init gets SIGKILL when its runtime dies.
/// </summary>
public class ForegroundRunKilledTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1000)] // a uid change clears the parent-death signal: it must be set again
    public void The_container_dies_with_its_runtime_and_the_callers_pipe_closes(int uid)
    {
        // PID 1 of its namespace: sleep ignores SIGTERM there, only SIGKILL ends it.
        using var b = new Bundle("sleep", "1000");
        b.Process["user"] = new JsonObject { ["uid"] = uid, ["gid"] = uid };
        b.Save();
        var id = b.NewId();
        var psi = new ProcessStartInfo(b.Runtime.Exe) { WorkingDirectory = b.Dir, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { "--root", b.Runtime.Root, "run", id }) psi.ArgumentList.Add(a);
        using var run = Process.Start(psi)!;
        int init = WaitForInit(b, id);
        run.Kill(); // SIGKILL
        run.WaitForExit();

        var eof = run.StandardOutput.BaseStream.ReadAsync(new byte[16]).AsTask();
        Assert.True(eof.Wait(TimeSpan.FromSeconds(10)) && eof.Result == 0, "the caller's stdout pipe stayed open: the container still holds it");
        Assert.True(WaitGone(init), $"init {init} still runs after its runtime was killed");
        var st = b.Rt("state", id);
        Assert.Equal("stopped", JsonNode.Parse(st.Stdout)!["status"]!.GetValue<string>());
        Assert.Equal(0, b.Rt("delete", id).ExitCode);
    }

    [Fact]
    public void A_detached_container_outlives_the_run_that_started_it()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        Assert.Equal(0, b.Rt("run", "--detach", id).ExitCode);
        int init = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        Thread.Sleep(200);
        Assert.True(Alive(init), "a detached container's init died after run --detach returned");
        Assert.Equal(0, b.Rt("delete", "--force", id).ExitCode);
    }

    private static int WaitForInit(Bundle b, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var r = b.Rt("state", id);
            if (r.ExitCode == 0 && JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>() == "running")
                return JsonNode.Parse(r.Stdout)!["pid"]!.GetValue<int>();
            Thread.Sleep(50);
        }
        throw new TimeoutException($"container {id} did not reach running");
    }

    private static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");

    private static bool WaitGone(int pid)
    {
        for (int i = 0; i < 100 && Alive(pid); i++) Thread.Sleep(50);
        return !Alive(pid);
    }
}
