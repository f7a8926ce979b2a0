using System.Text;
using Rdmarun.OciSpec;

namespace Rdmarun.Hooks.Tests;

/// <summary>Hooks run in a process group of their own, and a tracker learns the group while the hook runs.</summary>
public sealed class HookGroupTests : IDisposable
{
    private readonly HookScripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    private static readonly byte[] State = Encoding.UTF8.GetBytes("""{"ociVersion":"1.2.0","id":"c1","status":"creating","pid":42,"bundle":"/b"}""");

    private sealed class Recorder : IHookTracker
    {
        public List<string> Events { get; } = [];
        public Action<int>? OnStarted { get; init; }
        public void Started(int pid, string phase, string path) { Events.Add($"started {pid} {phase} {path}"); OnStarted?.Invoke(pid); }
        public void Ended(int pid) => Events.Add($"ended {pid}");
    }

    // Field 5 of /proc/PID/stat (after the comm's closing parenthesis: state, ppid, pgrp).
    private static int Pgrp(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2]);
    }

    private static bool Gone(int pid)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            }
            catch (IOException) { return true; }
            Thread.Sleep(20);
        }
        return false;
    }

    [Fact]
    public void The_hook_leads_its_own_process_group()
    {
        string hook = _scripts.Script("h", "echo $$; cut -d' ' -f5 /proc/$$/stat");

        var result = HookRunner.Run(new Hook { Path = hook }, State, "prestart");

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0], lines[1]); // pgid == pid
        Assert.NotEqual(Pgrp(Environment.ProcessId).ToString(), lines[1]);
    }

    [Fact]
    public void The_tracker_hears_the_pid_while_the_hook_runs_and_again_after_it_was_reaped()
    {
        string hook = _scripts.Script("h", $"echo $$ > {_scripts.PathOf("pid")}; sleep 0.3");
        int alive = -1;
        var tracker = new Recorder
        {
            // Called while the hook runs: its pid is a live process leading its own group.
            OnStarted = pid => alive = Pgrp(pid),
        };

        HookRunner.Run(new Hook { Path = hook }, State, "poststart", 0, tracker);

        int hookPid = int.Parse(_scripts.Read("pid").Trim());
        Assert.Equal([$"started {hookPid} poststart {hook}", $"ended {hookPid}"], tracker.Events);
        Assert.Equal(hookPid, alive);
    }

    [Fact]
    public void A_failing_hook_is_still_reported_ended()
    {
        string hook = _scripts.Script("h", "exit 3");
        var tracker = new Recorder();

        Assert.Throws<HookException>(() => HookRunner.RunAll([new Hook { Path = hook }], State, "prestart", false, tracker));

        Assert.Equal(2, tracker.Events.Count);
        Assert.StartsWith("ended ", tracker.Events[1]);
    }

    [Fact]
    public void A_tracker_that_cannot_record_the_hook_gets_it_killed_with_its_group()
    {
        // A hook nobody could find later must not be left running: Started failing kills its group.
        string hook = _scripts.Script("h", $"sleep 600 & echo $! > {_scripts.PathOf("child")}; echo $$ > {_scripts.PathOf("pid")}; wait");
        var tracker = new Recorder
        {
            OnStarted = _ =>
            {
                for (int i = 0; i < 200 && !File.Exists(_scripts.PathOf("child")); i++) Thread.Sleep(10);
                Thread.Sleep(50);
                throw new IOException("no space left on device");
            },
        };

        var e = Assert.Throws<IOException>(() => HookRunner.Run(new Hook { Path = hook }, State, "prestart", 0, tracker));

        Assert.Equal("no space left on device", e.Message);
        Assert.True(Gone(int.Parse(_scripts.Read("pid").Trim())), "the hook is killed and reaped");
        Assert.True(Gone(int.Parse(_scripts.Read("child").Trim())), "the hook's child is killed with its group");
    }

    [Fact]
    public void A_timeout_kills_the_hooks_children_too()
    {
        string hook = _scripts.Script("h", $"sleep 600 & echo $! > {_scripts.PathOf("child")}; exec sleep 600");

        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = hook, Timeout = 1 }, State, "prestart"));

        Assert.True(e.TimedOut);
        Assert.True(Gone(int.Parse(_scripts.Read("child").Trim())), "the hook's background child is killed with its group");
    }
}
