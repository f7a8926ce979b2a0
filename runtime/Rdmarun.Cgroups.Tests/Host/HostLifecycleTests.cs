using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Host;

/// <summary>Real cgroups on this host: whatever its layout (hybrid here, pure v2 in the kernel lab).</summary>
public class HostLifecycleTests
{
    [RootFact]
    public void Apply_set_freeze_thaw_kill_and_destroy_a_sleeping_child()
    {
        using var cg = new HostCgroup();
        var m = cg.Manager;
        var sleep = cg.Start("sleep", "300");
        m.Apply(sleep.Id);

        Assert.True(m.Exists());
        Assert.Contains(sleep.Id, m.GetPids());
        Assert.Contains(sleep.Id, m.GetAllPids());
        // /proc/<pid>/cgroup shows the new cgroup in every hierarchy the manager placed it in.
        var procCgroup = File.ReadAllText($"/proc/{sleep.Id}/cgroup");
        foreach (var (key, dir) in m.Paths)
        {
            var mount = key.Length == 0 ? cg.Setup.UnifiedMount! : cg.Setup.V1Mounts[key];
            var expected = dir[mount.MountPoint.Length..];
            Assert.Contains($":{expected}\n", procCgroup);
        }

        m.Set(new LinuxResources { Memory = new LinuxMemory { Limit = 64L << 20 }, Pids = new LinuxPids { Limit = 16 } });
        var stats = m.GetStats();
        Assert.Equal((ulong)(64L << 20), stats.Memory.Limit);
        Assert.Equal(16UL, stats.Pids.Limit);
        Assert.Equal(1UL, stats.Pids.Current);
        Assert.False(m.OomKilled());

        m.Freeze();
        Assert.Equal(FreezerState.Frozen, m.GetFreezerState());
        if (m.Paths.ContainsKey("freezer")) Assert.StartsWith("D", HostCgroup.ProcState(sleep.Id)); // v1 freezer parks tasks in D
        m.Thaw();
        Assert.Equal(FreezerState.Thawed, m.GetFreezerState());
        Assert.StartsWith("S", HostCgroup.ProcState(sleep.Id));

        m.Kill(9);
        Assert.True(sleep.WaitForExit(5000), "sleep survived Kill(SIGKILL)");
        Assert.Equal(137, sleep.ExitCode);

        m.Destroy();
        Assert.False(m.Exists());
        Assert.All(m.Paths.Values, d => Assert.False(Directory.Exists(d), d));
    }

    [RootFact]
    public void Kill_with_sigterm_signals_every_process()
    {
        using var cg = new HostCgroup();
        var a = cg.Start("sleep", "300");
        var b = cg.Start("sleep", "300");
        cg.Manager.Apply(a.Id);
        cg.Manager.Apply(b.Id);
        cg.Manager.Kill(15);
        Assert.True(a.WaitForExit(5000) && b.WaitForExit(5000));
        Assert.Equal((143, 143), (a.ExitCode, b.ExitCode));
    }

    [RootFact]
    public void Destroy_removes_sub_cgroups_the_workload_created()
    {
        using var cg = new HostCgroup();
        var m = cg.Manager;
        var sleep = cg.Start("sleep", "300");
        m.Apply(sleep.Id);
        // The workload nests its own cgroups (as systemd or a nested runtime would) and moves into one.
        foreach (var dir in m.Paths.Values.Distinct())
        {
            Directory.CreateDirectory(Path.Combine(dir, "inner", "deeper"));
            if (!dir.Contains("/cpuset/")) File.WriteAllText(Path.Combine(dir, "inner", "deeper", "cgroup.procs"), sleep.Id.ToString());
        }
        Assert.Contains(sleep.Id, m.GetAllPids());
        Assert.DoesNotContain(sleep.Id, m.GetPids());
        m.Kill(9);
        Assert.True(sleep.WaitForExit(5000));
        m.Destroy();
        Assert.All(m.Paths.Values, d => Assert.False(Directory.Exists(d), d));
    }

    [RootFact]
    public void Destroy_of_a_busy_cgroup_says_which_processes_are_inside()
    {
        using var cg = new HostCgroup();
        var sleep = cg.Start("sleep", "300");
        cg.Manager.Apply(sleep.Id);
        var e = Assert.Throws<CgroupException>(() => cg.Manager.Destroy());
        Assert.Contains("device or resource busy", e.Message);
        Assert.Contains($"processes still inside: {sleep.Id}", e.Message);
    }

    [RootFact]
    public void Bounded_fork_bomb_stops_at_pids_max()
    {
        using var cg = new HostCgroup();
        var m = cg.Manager;
        // 40 background sleeps wanted; sh gives up at the first refused fork.
        var sh = cg.Start("sh", "-c", "read go; i=0; while [ $i -lt 40 ]; do sleep 30 </dev/null >/dev/null 2>&1 & i=$((i+1)); done; echo spawned all");
        m.Apply(sh.Id);
        m.Set(new LinuxResources { Pids = new LinuxPids { Limit = 8 } });
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Flush();
        Assert.True(sh.WaitForExit(30_000));
        Assert.Equal("", sh.StandardOutput.ReadToEnd());
        Assert.Contains("fork", sh.StandardError.ReadToEnd(), StringComparison.OrdinalIgnoreCase);
        var stats = m.GetStats();
        Assert.Equal(8UL, stats.Pids.Limit);
        Assert.Equal(7UL, stats.Pids.Current); // the 7 sleeps forked while sh itself counted as the 8th
        Assert.Equal(7, m.GetAllPids().Count);
    }

    [RootFact]
    public void Memory_hog_is_oom_killed_and_reported()
    {
        using var cg = new HostCgroup();
        var m = cg.Manager;
        var sh = cg.Start("sh", "-c", "read go; head -c 200M /dev/zero | tail > /dev/null; echo status=$?");
        m.Apply(sh.Id);
        var mem = new LinuxMemory { Limit = 32L << 20 };
        // With swap available the hog would page out instead of dying: limit memory+swap to the same value.
        if (m.Mode == CgroupMode.Unified || File.Exists(Path.Combine(m.Paths["memory"], "memory.memsw.limit_in_bytes"))) mem.Swap = 32L << 20;
        m.Set(new LinuxResources { Memory = mem });
        Assert.False(m.OomKilled());
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Flush();
        Assert.True(sh.WaitForExit(60_000), "the memory hog was not stopped");
        Assert.Equal("status=137", sh.StandardOutput.ReadToEnd().Trim()); // tail died of SIGKILL
        Assert.True(m.OomKilled());
        var stats = m.GetStats();
        Assert.True(stats.OomKillCount >= 1);
        Assert.Equal((ulong)(32L << 20), stats.Memory.Limit);
    }
}
