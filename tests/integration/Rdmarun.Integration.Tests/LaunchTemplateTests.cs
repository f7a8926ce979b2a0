using System.Diagnostics;
using static Rdmarun.Integration.Tests.TemplateStore;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// Warm `launch` (runtime/native/LAUNCH_TEMPLATE.md), the .NET half: a rank asked to publish
/// (`_RDMARUN_LAUNCH_KEY`) leaves a template of its mount namespace, cgroup and process settings
/// under `&lt;root&gt;/.launch`, and `launch --drop-templates` removes every trace of it. The key
/// the test sets is used unless the C constructor computed its own: the test finds it on disk.
/// The guard may or may not still run (until the C guard exists, it is `rdmarun` printing help).
/// </summary>
public class LaunchTemplateTests
{
    private static Dictionary<string, string> Publish(string key) =>
        new() { ["_RDMARUN_LAUNCH_KEY"] = key, ["RDMARUN_LAUNCH_TEMPLATE_TTL"] = "120" };

    [Fact]
    public void A_published_template_holds_the_ranks_namespace_and_settings_and_drop_removes_it()
    {
        using var b = new Bundle();
        var launchDir = Path.Combine(b.Runtime.Root, ".launch");
        var r = b.Runtime.RunWith(b.Dir, Publish("0123456789abcdef"), "launch", "-b", b.Dir, "--", "readlink", "/proc/self/ns/mnt");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rankNs = r.Stdout.Trim();
        Assert.Matches(@"^mnt:\[\d+\]$", rankNs);
        Assert.DoesNotContain("warning", r.Stderr);
        try
        {
            var key = Assert.Single(Keys(launchDir));
            var dir = Path.Combine(launchDir, key);
            var lines = File.ReadAllLines(Path.Combine(dir, "template"));

            // The rank's mount namespace, pinned by a bind of its nsfs file.
            var mountinfo = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')).ToList();
            var mnt = Assert.Single(mountinfo, f => f[4] == Path.Combine(dir, "mnt"));
            Assert.Equal(rankNs, mnt[3]);
            Assert.Equal("nsfs", mnt[Array.IndexOf(mnt, "-") + 1]);
            // .launch: a private mount of its own (no "shared:" peer group to propagate through).
            var self = Assert.Single(mountinfo, f => f[4] == launchDir);
            Assert.DoesNotContain(self.TakeWhile(f => f != "-").Skip(6), f => f.StartsWith("shared:"));
            Assert.Equal("700", Stat("%a", launchDir));

            // The template text: everything but the guard and cgroup lines is known here.
            Assert.Equal("version 1", lines[0]);
            var guard = lines[1].Split(' ');
            Assert.Equal("guard", guard[0]);
            Assert.Equal(ProcStart(int.Parse(guard[1])) ?? guard[2], guard[2]); // its start time, if it still runs
            var cgroupLines = lines.Where(l => l.StartsWith("cgroup ")).ToList();
            Assert.NotEmpty(cgroupLines);
            foreach (var l in cgroupLines)
            {
                var cgDir = l.Split(' ', 3)[2];
                Assert.EndsWith($"/launch-template-{key}", cgDir);
                Assert.True(Directory.Exists(cgDir), $"template cgroup {cgDir} does not exist");
            }
            string[] expected =
            [
                $"rootfs {Stat("%d %i", b.Rootfs)}",
                $"bundle {b.Dir}",
                $"rootfspath {b.Rootfs}",
                "caps 20000420 20000420 20000420 0 20000420", // rdmarun spec: AUDIT_WRITE, KILL, NET_BIND_SERVICE; no inheritable
                "rlimit 7 1024 1024",
                "nnp",
                "env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "env TERM=xterm",
                "passprefix OMPI_", "passprefix PMIX_", "passprefix PMI_", "passprefix SLURM_", "passprefix UCX_", "passprefix OPAL_",
                "passprefix PRTE_", "passprefix HYDRA_", "passprefix MPIR_", "passprefix I_MPI_", "passprefix FI_", "passprefix NCCL_",
                "passname RDMA_VISIBLE_DEVICES", "passname CUDA_VISIBLE_DEVICES", "passname TMPDIR",
            ];
            Assert.Equal(expected, lines.Skip(2).Where(l => !l.StartsWith("cgroup ")));
            Assert.True(File.Exists(Path.Combine(dir, "inuse")) && File.Exists(Path.Combine(dir, "config.json")));
            Assert.DoesNotContain(Directory.GetDirectories(b.Runtime.Root), d => Path.GetFileName(d) != ".launch"); // the rank itself is gone

            var drop = b.Runtime.Run(b.Dir, "launch", "--drop-templates");
            Assert.True(drop.ExitCode == 0 && drop.Stdout == "" && drop.Stderr == "", drop.ToString());
            AssertNoTraces(launchDir, key);
            WaitUntil(() => ProcStart(int.Parse(guard[1])) != guard[2]);
            Assert.NotEqual(guard[2], ProcStart(int.Parse(guard[1]))); // drop killed the guard
        }
        finally { b.Runtime.Run(b.Dir, "launch", "--drop-templates"); }
    }

    [Fact]
    public void A_template_whose_guard_died_is_collected_by_the_next_publish()
    {
        using var b = new Bundle();
        var launchDir = Path.Combine(b.Runtime.Root, ".launch");
        try
        {
            // Different keys, whoever computes them: C's covers every RDMARUN_* variable (not the program).
            Assert.Equal(0, b.Runtime.RunWith(b.Dir, Publish("00000000000000aa"), "launch", "-b", b.Dir, "--", "true").ExitCode);
            var first = Assert.Single(Keys(launchDir));
            var guard = File.ReadAllLines(Path.Combine(launchDir, first, "template"))[1].Split(' ');
            if (ProcStart(int.Parse(guard[1])) == guard[2]) Process.Start("kill", ["-KILL", guard[1]])!.WaitForExit();
            WaitUntil(() => ProcStart(int.Parse(guard[1])) != guard[2]);

            var other = Publish("00000000000000bb");
            other["RDMARUN_IT_TAG"] = "second";
            Assert.Equal(0, b.Runtime.RunWith(b.Dir, other, "launch", "-b", b.Dir, "--", "echo", "second").ExitCode);
            var second = Assert.Single(Keys(launchDir));
            Assert.NotEqual(first, second);
            Assert.Empty(HostTraces.CgroupDirs($"launch-template-{first}"));
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(Path.Combine(launchDir, first)));
            Assert.DoesNotContain(Directory.GetDirectories(launchDir), d => !KeyDir.IsMatch(Path.GetFileName(d))); // no .dead-/tmp left
        }
        finally
        {
            DropAndAssertNoTraces(b, launchDir);
        }
    }

    /// <summary>
    /// Ranks started together all miss the template; one publishes, a loser of the lock race does
    /// not replace what the winner published, and every rank runs.
    /// </summary>
    [Fact]
    public void Ranks_racing_to_publish_leave_one_template_and_all_run()
    {
        using var b = new Bundle();
        var launchDir = Path.Combine(b.Runtime.Root, ".launch");
        try
        {
            var ranks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
                b.Runtime.RunWith(b.Dir, Publish("0123456789abcdef"), "--debug", "launch", "-b", b.Dir, "--", "sh", "-c", "sleep 0.2; echo ran"))).ToArray();
            Task.WaitAll(ranks);
            foreach (var t in ranks) Assert.True(t.Result.ExitCode == 0 && t.Result.Stdout.Trim() == "ran", t.Result.ToString());
            Assert.True(ranks.Count(t => t.Result.Stderr.Contains("published at")) == 1, string.Join("\n", ranks.Select(t => t.Result.Stderr)));
            var key = Assert.Single(Keys(launchDir));
            Assert.DoesNotContain(Directory.GetDirectories(launchDir), d => Path.GetFileName(d) != key);
            Assert.Single(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(launchDir + "/") && l.Contains(" nsfs "));
        }
        finally
        {
            DropAndAssertNoTraces(b, launchDir);
        }
    }

    /// <summary>
    /// A publish that fails late (an --env value with a newline cannot be written into `template`,
    /// found after the mount, the cgroup and the guard exist) is undone and only warned about.
    /// </summary>
    [Fact]
    public void A_failed_publish_is_undone_and_the_rank_runs()
    {
        using var b = new Bundle();
        var launchDir = Path.Combine(b.Runtime.Root, ".launch");
        try
        {
            var r = b.Runtime.RunWith(b.Dir, Publish("0123456789abcdef"), "launch", "-b", b.Dir, "--env", "X=a\nb", "--", "echo", "ran");
            Assert.True(r.ExitCode == 0 && r.Stdout.Trim() == "ran", r.ToString());
            Assert.Contains("not published (the rank runs normally)", r.Stderr);
            Assert.Contains("newline", r.Stderr);
            // Only the publish lock is left, and it names the key.
            var lockFile = Assert.Single(Directory.GetFileSystemEntries(launchDir));
            Assert.EndsWith(".lock", lockFile);
            var key = Path.GetFileName(lockFile)[..^".lock".Length];
            Assert.Empty(HostTraces.CgroupDirs($"launch-template-{key}"));
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(launchDir + "/"));
            Assert.Empty(GuardsOf(launchDir));
        }
        finally
        {
            Assert.Equal(0, b.Runtime.Run(b.Dir, "launch", "--drop-templates").ExitCode);
            Assert.False(Directory.Exists(launchDir));
        }
    }

    /// <summary>
    /// A publisher killed mid-way (SIGKILL at a fault point: no undo runs) leaves its template
    /// without `template`, with the namespace mount and the template cgroup; the next publish collects them.
    /// </summary>
    [FaultFact]
    public void What_a_killed_publisher_left_is_collected_by_the_next_publish()
    {
        using var b = new Bundle();
        var launchDir = Path.Combine(b.Runtime.Root, ".launch");
        try
        {
            var env = Publish("00000000000000aa");
            env["RDMARUN_TEST_FAULT"] = "launch-template.after-guard";
            var killed = FaultBinary.For(b).RunWith(b.Dir, env, "launch", "-b", b.Dir, "--", "true");
            Assert.True(killed.ExitCode == 137, killed.ToString());
            // In place but without `template`: never used by a rank.
            var tmp = Assert.Single(Directory.GetDirectories(launchDir));
            var key = Path.GetFileName(tmp);
            Assert.Matches(KeyDir, key);
            Assert.False(File.Exists(Path.Combine(tmp, "template")));
            Assert.NotEmpty(HostTraces.CgroupDirs($"launch-template-{key}"));
            Assert.Contains(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(tmp + "/mnt"));

            var r = b.Runtime.RunWith(b.Dir, Publish("00000000000000bb"), "launch", "-b", b.Dir, "--", "echo", "second");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.False(Directory.Exists(tmp), $"{tmp} was not collected");
            Assert.Empty(HostTraces.CgroupDirs($"launch-template-{key}"));
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(tmp));
            Assert.DoesNotContain(Directory.GetDirectories(launchDir), d => !KeyDir.IsMatch(Path.GetFileName(d)));
        }
        finally
        {
            Assert.Equal(0, b.Runtime.Run(b.Dir, "launch", "--drop-templates").ExitCode);
            Assert.False(Directory.Exists(launchDir));
        }
    }

    [Theory]
    [InlineData("--pid-ns", "private")]
    [InlineData("--id", "rank-with-id")]
    public void An_ineligible_rank_runs_and_publishes_nothing(string flag, string value)
    {
        using var b = new Bundle();
        var r = b.Runtime.RunWith(b.Dir, Publish("0123456789abcdef"), "launch", "-b", b.Dir, flag, value, "--", "echo", "ran");
        Assert.True(r.ExitCode == 0 && r.Stdout.Trim() == "ran", r.ToString());
        Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, ".launch")), "an ineligible rank created .launch");
        Assert.Empty(HostTraces.CgroupDirs("launch-template-0123456789abcdef"));
    }

    [Fact]
    public void Drop_without_templates_does_nothing_and_says_nothing()
    {
        using var b = new Bundle();
        var r = b.Runtime.Run(b.Dir, "launch", "--drop-templates");
        Assert.True(r.ExitCode == 0 && r.Stdout == "" && r.Stderr == "", r.ToString());
        Assert.Contains("reserved for launch templates", b.Runtime.Run(b.Dir, "create", "--bundle", b.Dir, ".launch").Stderr);
    }

    private static string Stat(string format, string path)
    {
        var psi = new ProcessStartInfo("stat", ["-L", "-c", format, path]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var s = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return s;
    }
}
