using System.Diagnostics;
using System.Text.Json.Nodes;
using static Rdmarun.Integration.Tests.TemplateStore;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// Warm `run` (runtime/native/RUN_TEMPLATE.md): with --warm-run, the first foreground `run` of a config
/// publishes its container as a run template; a later run whose config differs only in process.args
/// and process.env starts from it in C. Every test tells the paths apart by the container's own
/// cgroup: `&lt;template cgroup&gt;/&lt;id&gt;` only on the warm path, and asserts what a user sees
/// is the same on both.
/// </summary>
public class RunTemplateTests
{
    /// <summary>`rdmarun --root R --warm-run run -b DIR ID` from <paramref name="cwd"/> (default: the bundle).</summary>
    private static Rdmarun.Result Run(Bundle b, string id, IDictionary<string, string>? env = null, string? cwd = null, Rdmarun? rt = null) =>
        (rt ?? b.Runtime).RunWith(cwd ?? b.Dir, env, "--warm-run", "run", "-b", b.Dir, id);

    /// <summary>The step's config: `sh -c SCRIPT` with <paramref name="env"/>; nothing else changes.</summary>
    private static void Step(Bundle b, string script, params string[] env)
    {
        b.Args("sh", "-c", script);
        b.Process["env"] = new JsonArray(env.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());
        b.Save();
    }

    /// <summary>Prints the container's cgroups: how a test tells which path started it.</summary>
    private const string ShowCgroups = "while read l; do echo \"cg=$l\"; done </proc/self/cgroup; ";

    private static List<string> Cgroups(Rdmarun.Result r) =>
        r.Stdout.Split('\n').Where(l => l.StartsWith("cg=")).Select(l => l[3..]).ToList();

    private static bool Warm(Rdmarun.Result r, string key, string id) =>
        Cgroups(r).Any(l => l.EndsWith($"/launch-template-{key}/{id}"));

    private static void AssertFull(Rdmarun.Result r, string id)
    {
        var cg = Cgroups(r);
        Assert.True(cg.Any(l => l.EndsWith("/" + id)) && !cg.Any(l => l.Contains("/launch-template-")), r.ToString());
    }

    private static void AssertWarm(Rdmarun.Result r, string key, string id) =>
        Assert.True(Warm(r, key, id), $"not started from template {key}: {r}");

    /// <summary>Drops the templates, then nothing of them or of the containers may be left.</summary>
    private static void Cleanup(Bundle b, List<string> ids, params string[] markers)
    {
        DropAndAssertNoTraces(b, LaunchDir(b));
        Assert.Empty(LeakCheck.Find(b.Dir, b.Runtime.Root, ids, markers));
    }

    [Fact]
    public void A_step_with_other_args_and_env_starts_warm_with_its_own_args_env_and_exit_status()
    {
        using var b = new Bundle();
        var launchDir = LaunchDir(b);
        string first = b.NewId(), second = b.NewId();
        try
        {
            Step(b, ShowCgroups + "echo first; env", "PATH=/bin", "STEP=one");
            var r1 = Run(b, first);
            Assert.True(r1.ExitCode == 0 && r1.Stdout.Contains("first\n") && r1.Stdout.Contains("STEP=one\n"), r1.ToString());
            AssertFull(r1, first);
            var key = Assert.Single(Keys(launchDir));
            Assert.Contains("kind run", Lines(launchDir, key));

            Step(b, ShowCgroups + "echo second \"$0\"; env; exit 7", "PATH=/bin:/usr/bin", "STEP=two");
            b.Args([.. b.Process["args"]!.AsArray().Select(a => a!.GetValue<string>()), "step-arg"]);
            b.Save();
            var r2 = Run(b, second);
            Assert.True(r2.ExitCode == 7, r2.ToString());
            AssertWarm(r2, key, second);
            var env = r2.Stdout.Split('\n').Where(l => l.Contains('=') && !l.StartsWith("cg=")).ToList();
            Assert.Contains("second step-arg", r2.Stdout);
            Assert.DoesNotContain("first", r2.Stdout);
            Assert.Contains("STEP=two", env);
            Assert.Contains("PATH=/bin:/usr/bin", env);
            Assert.Contains("HOME=/root", env); // from the image's passwd, as the init adds it
            Assert.DoesNotContain("STEP=one", env);
            Assert.Equal("", r2.Stderr);
            Assert.Single(Keys(launchDir));
            Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, second)));
            Assert.All(CgroupDirs(launchDir, key), d => Assert.False(Directory.Exists(Path.Combine(d, second)), $"{d}/{second} left"));
        }
        finally { Cleanup(b, [first, second]); }
    }

    /// <summary>A program that cannot be started: the full path's message and exit status.</summary>
    [Theory]
    [InlineData("no-such-program")]
    [InlineData("/bin/no-such-program")]
    [InlineData("/etc/passwd")] // not executable: the exec itself fails
    public void A_step_whose_program_cannot_start_fails_as_on_the_full_path(string program)
    {
        using var b = new Bundle();
        var launchDir = LaunchDir(b);
        string[] ids = [b.NewId(), b.NewId(), b.NewId()];
        try
        {
            Step(b, ShowCgroups, "PATH=/bin");
            AssertFull(Run(b, ids[0]), ids[0]);
            var key = Assert.Single(Keys(launchDir));

            b.Args(program);
            b.Save();
            var full = b.Runtime.RunWith(b.Dir, new Dictionary<string, string> { ["RDMARUN_LAUNCH_TEMPLATE_TTL"] = "0" }, "--warm-run", "run", "-b", b.Dir, ids[1]);
            Assert.True(full.ExitCode != 0 && full.Stderr.Contains(program), full.ToString());
            var inuse = Path.Combine(launchDir, key, "inuse");
            var lastUse = File.GetLastWriteTimeUtc(inuse);
            var warm = Run(b, ids[2]);
            Assert.Equal(full, warm);
            Assert.NotEqual(lastUse, File.GetLastWriteTimeUtc(inuse)); // a warm start marks the template used (LAUNCH_TEMPLATE.md)
            AssertContainerGone(b, key, ids[2]);
        }
        finally { Cleanup(b, [.. ids]); }
    }

    /// <summary>A step config the spec validation refuses is refused on the warm path too, with the same error.</summary>
    [Theory]
    [InlineData("env without =")]
    [InlineData("env with an empty name")]
    [InlineData("empty program name")]
    public void An_invalid_step_config_is_refused_as_on_the_full_path(string what)
    {
        using var b = new Bundle();
        var launchDir = LaunchDir(b);
        string[] ids = [b.NewId(), b.NewId(), b.NewId()];
        try
        {
            Step(b, ShowCgroups, "PATH=/bin");
            AssertFull(Run(b, ids[0]), ids[0]);
            var key = Assert.Single(Keys(launchDir));

            switch (what)
            {
                case "env without =": Step(b, "echo ran", "PATH=/bin", "NOEQ"); break;
                case "env with an empty name": Step(b, "echo ran", "PATH=/bin", "=x"); break;
                case "empty program name": b.Args("", "x"); b.Save(); break;
            }
            var full = b.Runtime.RunWith(b.Dir, new Dictionary<string, string> { ["RDMARUN_LAUNCH_TEMPLATE_TTL"] = "0" }, "--warm-run", "run", "-b", b.Dir, ids[1]);
            Assert.True(full.ExitCode == 1 && full.Stderr.Contains("config.json") && full.Stdout == "", full.ToString());
            Assert.Equal(full, Run(b, ids[2]));
            AssertContainerGone(b, key, ids[2]);
        }
        finally { Cleanup(b, [.. ids]); }
    }

    /// <summary>
    /// What a program sees of its container, the same on both paths: PID 1, the spec's hostname, only its
    /// own processes in /proc, /proc/sys read-only and masked paths masked, its own cgroup at
    /// /sys/fs/cgroup, a working /dev/null, and tmpfs mounts of its own (the warm container's template
    /// is the first container's mount namespace, with what that one wrote in its /dev/shm and /tmp).
    /// </summary>
    [Fact]
    public void A_warm_container_has_its_own_pid_1_hostname_proc_tmpfs_and_cgroup()
    {
        using var b = new Bundle();
        b.Config["hostname"] = "warm-host";
        b.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/tmp", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("nosuid", "nodev", "mode=1777"),
        });
        const string script = "for d in /proc/[0-9]*; do echo \"proc=${d#/proc/}\"; done; " + ShowCgroups +
            "echo \"pid=$$\"; echo \"host=$(hostname)\"; " +
            "for f in /sys/fs/cgroup/pids/cgroup.procs /sys/fs/cgroup/unified/cgroup.procs /sys/fs/cgroup/cgroup.procs; do " +
            "  [ -f $f ] && while read p; do echo \"cgproc=$p\"; done <$f; done; " +
            "while read l; do echo \"mi=$l\"; done </proc/self/mountinfo; " +
            "echo \"timer_list=$(cat /proc/timer_list | wc -c)\"; echo \"keys=$(cat /proc/keys | wc -c)\"; " +
            "for f in /dev/shm/* /tmp/*; do [ -e \"$f\" ] && echo \"seen=$f\"; done; " +
            "touch /dev/shm/left-by-$STEP /tmp/left-by-$STEP && echo x >/dev/null && echo devnull=ok";
        var launchDir = LaunchDir(b);
        var ids = new List<string>();
        try
        {
            string? key = null;
            foreach (var step in new[] { "full", "warm1", "warm2" })
            {
                Step(b, script, "PATH=/bin", "STEP=" + step);
                var id = b.NewId();
                ids.Add(id);
                var r = Run(b, id);
                Assert.True(r.ExitCode == 0, r.ToString());
                if (key is null)
                {
                    AssertFull(r, id);
                    key = Assert.Single(Keys(launchDir));
                }
                else AssertWarm(r, key, id);
                AssertOwnContainer(r, "warm-host");
            }
        }
        finally { Cleanup(b, ids); }
    }

    /// <summary>
    /// /dev (the spec's tmpfs with the device nodes) is each container's own, as on the full path: what one
    /// warm container writes or removes there is not seen by the next, and every one sees what the first did.
    /// </summary>
    [Fact]
    public void A_warm_containers_dev_is_its_own()
    {
        using var b = new Bundle();
        const string show = "stat -c '%n %F %t %T %a %u %g' /dev/* /dev/*/*; " +
            "while read id parent dev root target opts rest; do case $target in /dev*) echo \"$target $opts ${rest#*- }\";; esac; done </proc/self/mountinfo; " +
            "echo x >/dev/null && echo devnull=ok";
        var launchDir = LaunchDir(b);
        string[] ids = [b.NewId(), b.NewId(), b.NewId()];
        try
        {
            Step(b, show, "PATH=/bin");
            var full = Run(b, ids[0]);
            Assert.True(full.ExitCode == 0 && full.Stdout.Contains("devnull=ok") && full.Stdout.Contains("/dev/null character special file 1 3"), full.ToString());
            var key = Assert.Single(Keys(launchDir));

            Step(b, ShowCgroups + show + "; rm /dev/null && mkdir /dev/left-dir && touch /dev/left-file /dev/left-dir/f && ln -s /x /dev/left-link", "PATH=/bin");
            var first = Run(b, ids[1]);
            Assert.True(first.ExitCode == 0, first.ToString());
            AssertWarm(first, key, ids[1]);
            Step(b, ShowCgroups + show, "PATH=/bin");
            var next = Run(b, ids[2]);
            Assert.True(next.ExitCode == 0, next.ToString());
            AssertWarm(next, key, ids[2]);
            var shown = full.Stdout.Split('\n');
            Assert.Equal(shown, first.Stdout.Split('\n').Where(l => !l.StartsWith("cg=")));
            Assert.Equal(shown, next.Stdout.Split('\n').Where(l => !l.StartsWith("cg=")));
        }
        finally { Cleanup(b, [.. ids]); }
    }

    /// <summary>
    /// Rootless (the template guard holds the publisher's user namespace): a later step starts warm, with its
    /// own args, PID 1, and /dev as the full path's, nothing of the step before it.
    /// </summary>
    [Fact]
    public void A_rootless_step_starts_warm_with_its_own_args_and_dev()
    {
        using var b = new Bundle();
        var rootless = AsUser.Rootless(b);
        const string show = "echo \"step=$STEP pid=$$ uid=$(id -u)\"; stat -c '%n %F %t %T %a' /dev/*; echo x >/dev/null && echo devnull=ok";
        var launchDir = LaunchDir(b);
        string[] ids = [b.NewId(), b.NewId(), b.NewId()];
        Rdmarun.Result RunAs(string id) => rootless.RunWith(b.Dir, null, "--warm-run", "run", "-b", b.Dir, id);
        try
        {
            Step(b, show, "PATH=/bin", "STEP=one");
            var full = RunAs(ids[0]);
            Assert.True(full.ExitCode == 0 && full.Stdout.Contains("step=one pid=1 uid=0") && full.Stdout.Contains("devnull=ok"), full.ToString());
            var key = Assert.Single(Keys(launchDir));
            var inuse = Path.Combine(launchDir, key, "inuse");

            Step(b, show + "; rm -f /dev/left; touch /dev/left", "PATH=/bin", "STEP=two");
            var lastUse = File.GetLastWriteTimeUtc(inuse);
            var two = RunAs(ids[1]);
            Assert.True(two.ExitCode == 0, two.ToString());
            Assert.NotEqual(lastUse, File.GetLastWriteTimeUtc(inuse)); // started from the template
            Step(b, show, "PATH=/bin", "STEP=three");
            var three = RunAs(ids[2]);
            Assert.True(three.ExitCode == 0, three.ToString());
            foreach (var (r, step) in new[] { (two, "two"), (three, "three") })
                Assert.Equal(full.Stdout.Replace("step=one", "step=" + step), r.Stdout);
            Assert.Single(Keys(launchDir));
        }
        finally { Cleanup(b, [.. ids]); }
    }

    private static void AssertOwnContainer(Rdmarun.Result r, string hostname)
    {
        var lines = r.Stdout.Split('\n');
        string[] Values(string prefix) => lines.Where(l => l.StartsWith(prefix)).Select(l => l[prefix.Length..]).ToArray();
        Assert.Equal(["1"], Values("pid="));
        Assert.Equal([hostname], Values("host="));
        Assert.Equal(["1"], Values("proc=")); // the shell alone: no host or template process
        Assert.Equal(["0"], Values("timer_list="));
        Assert.Equal(["0"], Values("keys="));
        Assert.Empty(Values("seen="));
        Assert.Equal(["ok"], Values("devnull="));
        var procs = Values("cgproc=");
        Assert.True(procs.Length > 0 && procs.All(p => p == "1"), r.ToString()); // its cgroup holds it alone

        // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPER
        var mounts = Values("mi=").Select(l => l.Split(' ')).ToList();
        string[] At(string target) => mounts.Last(m => m[4] == target);
        Assert.Contains("ro", At("/proc/sys")[5].Split(','));
        Assert.Equal("proc", Fstype(At("/proc")));
        foreach (var masked in new[] { "/proc/timer_list", "/proc/keys" }) Assert.Contains(mounts, m => m[4] == masked);
        Assert.Equal("tmpfs", Fstype(At("/dev/shm")));
        Assert.Equal("tmpfs", Fstype(At("/tmp")));

        // /sys/fs/cgroup/<hierarchy> is the container's own cgroup dir, as /proc/self/cgroup names it.
        int checkedHierarchies = 0;
        foreach (var cg in Cgroups(r).Select(l => l.Split(':', 3)))
        {
            var target = cg[1].Length == 0 ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup/" + cg[1].Replace("name=", "");
            var m = mounts.LastOrDefault(m => m[4] == target && Fstype(m).StartsWith("cgroup"));
            if (m is null) continue;
            Assert.True(m[3] == cg[2], $"{target} shows {m[3]}, the container is in {cg[2]}");
            checkedHierarchies++;
        }
        Assert.True(checkedHierarchies > 0, r.ToString());
    }

    private static string Fstype(string[] mountinfo) => mountinfo[Array.IndexOf(mountinfo, "-") + 1];

    /// <summary>`rdmarun --root R --warm-run run ID` in the background, from the bundle dir (no -b), output discarded.</summary>
    private static Process Start(Bundle b, string id, string? root = null)
    {
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = b.Dir };
        foreach (var a in new[] { "-c", "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1", b.Runtime.Exe, "--root", root ?? b.Runtime.Root, "--warm-run", "run", id })
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static JsonNode State(Bundle b, string id)
    {
        var r = b.Rt("state", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!;
    }

    /// <summary>The container's pid once `state` says running (a deadline only against a hang).</summary>
    private static int WaitRunning(Bundle b, string id, Process run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !run.HasExited)
        {
            var r = b.Rt("state", id);
            if (r.ExitCode == 0 && JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>() == "running")
                return JsonNode.Parse(r.Stdout)!["pid"]!.GetValue<int>();
            Thread.Sleep(50);
        }
        throw new TimeoutException($"container {id} did not reach running (run exited: {run.HasExited})");
    }

    private static int ExitOf(Process p)
    {
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException("run did not end"); }
        return p.ExitCode;
    }

    /// <summary>Publishes a template for `sleep 30` (a first run of `true` with the same config otherwise).</summary>
    private static string PublishSleeper(Bundle b, string id, Rdmarun? rt = null)
    {
        Step(b, "true", "PATH=/bin");
        var r = Run(b, id, rt: rt);
        Assert.True(r.ExitCode == 0, r.ToString());
        Step(b, "exec sleep 30", "PATH=/bin");
        return Assert.Single(Keys(LaunchDir(b)));
    }

    private static void AssertContainerGone(Bundle b, string key, string id)
    {
        Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, id)), $"state dir of {id} left");
        Assert.All(CgroupDirs(LaunchDir(b), key), d => Assert.False(Directory.Exists(Path.Combine(d, id)), $"{d}/{id} left"));
    }

    [Fact]
    public void A_running_warm_container_is_seen_by_state_and_list_and_ended_by_kill_or_kill_all_and_delete()
    {
        using var b = new Bundle();
        string publisher = b.NewId(), killed = b.NewId(), deleted = b.NewId();
        try
        {
            var key = PublishSleeper(b, publisher);

            using var run = Start(b, killed);
            int pid = WaitRunning(b, killed, run);
            var st = State(b, killed);
            Assert.Equal(b.Dir, st["bundle"]!.GetValue<string>()); // no -b: the cwd, named as the full path names it
            Assert.Contains(File.ReadAllLines($"/proc/{pid}/cgroup"), l => l.EndsWith($"/launch-template-{key}/{killed}"));
            Assert.Equal("sleep", File.ReadAllText($"/proc/{pid}/comm").Trim());
            var list = b.Rt("list");
            Assert.Contains(list.Stdout.Split('\n'), l => l.StartsWith(killed + " ") && l.Contains($" {pid} ") && l.Contains(" running "));
            Assert.Equal(0, b.Rt("kill", killed, "SIGKILL").ExitCode);
            Assert.Equal(137, ExitOf(run));
            AssertContainerGone(b, key, killed);
            Assert.Null(ProcStart(pid));

            // Slurm's RunTimeKill and RunTimeDelete, from other processes.
            using var run2 = Start(b, deleted);
            pid = WaitRunning(b, deleted, run2);
            Assert.Contains(File.ReadAllLines($"/proc/{pid}/cgroup"), l => l.EndsWith($"/launch-template-{key}/{deleted}"));
            Assert.Equal(0, b.Rt("kill", "-a", deleted).ExitCode); // SIGTERM: sleep as PID 1 ignores it
            var del = b.Rt("delete", "--force", deleted);
            Assert.True(del.ExitCode == 0, del.ToString());
            Assert.Equal(137, ExitOf(run2));
            AssertContainerGone(b, key, deleted);
            Assert.Single(Keys(LaunchDir(b)));
        }
        finally { Cleanup(b, [publisher, killed, deleted], "sleep 30"); }
    }

    /// <summary>The error and exit status of the full path; the existing container untouched, nothing of the attempt left.</summary>
    [Fact]
    public void An_existing_id_fails_as_on_the_full_path_and_leaves_nothing()
    {
        using var b = new Bundle();
        string publisher = b.NewId(), created = b.NewId(), running = b.NewId();
        try
        {
            var key = PublishSleeper(b, publisher);
            // A full-path container of that id, created, not started.
            Assert.Equal(0, b.Rt("create", "--bundle", b.Dir, created).ExitCode);
            var expected = b.Runtime.RunWith(b.Dir, new Dictionary<string, string> { ["RDMARUN_LAUNCH_TEMPLATE_TTL"] = "0" }, "run", "-b", b.Dir, created);
            Assert.True(expected.ExitCode == 1 && expected.Stderr.Contains("already exists"), expected.ToString());
            var r = Run(b, created);
            Assert.Equal(expected, r);
            Assert.Equal("created", State(b, created)["status"]!.GetValue<string>());
            Assert.All(CgroupDirs(LaunchDir(b), key), d => Assert.False(Directory.Exists(Path.Combine(d, created)), $"{d}/{created} left"));
            Assert.Equal(0, b.Rt("delete", "--force", created).ExitCode);

            // A warm container of that id, running.
            using var run = Start(b, running);
            int pid = WaitRunning(b, running, run);
            var again = Run(b, running);
            Assert.True(again.ExitCode == 1 && again.Stderr.Contains($"container with id {running} already exists"), again.ToString());
            Assert.Equal(pid, State(b, running)["pid"]!.GetValue<int>());
            Assert.Equal("running", State(b, running)["status"]!.GetValue<string>());
            Assert.Equal(0, b.Rt("kill", running, "SIGKILL").ExitCode);
            Assert.Equal(137, ExitOf(run));
            AssertContainerGone(b, key, running);
        }
        finally { Cleanup(b, [publisher, created, running], "sleep 30"); }
    }

    [Fact]
    public void A_config_changed_outside_args_and_env_gets_its_own_template()
    {
        using var b = new Bundle();
        string[] ids = [b.NewId(), b.NewId(), b.NewId()];
        var launchDir = LaunchDir(b);
        try
        {
            Step(b, ShowCgroups + "hostname", "PATH=/bin");
            Assert.Equal(0, Run(b, ids[0]).ExitCode);
            var first = Assert.Single(Keys(launchDir));

            b.Config["hostname"] = "changed";
            b.Save();
            var r = Run(b, ids[1]);
            Assert.True(r.ExitCode == 0 && r.Stdout.Contains("\nchanged\n"), r.ToString());
            AssertFull(r, ids[1]);
            var second = Assert.Single(Keys(launchDir), k => k != first);

            r = Run(b, ids[2]);
            Assert.True(r.ExitCode == 0 && r.Stdout.Contains("\nchanged\n"), r.ToString());
            AssertWarm(r, second, ids[2]);
        }
        finally { Cleanup(b, [.. ids]); }
    }

    /// <summary>A spec the warm path cannot reproduce publishes nothing, and every run of it takes the full path.</summary>
    [Theory]
    [InlineData("prestart hook")]
    [InlineData("cgroup namespace")]
    [InlineData("non-root user")]
    public void An_ineligible_spec_publishes_nothing_and_runs(string what)
    {
        using var b = new Bundle();
        switch (what)
        {
            case "prestart hook":
                b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/true" }) };
                break;
            case "cgroup namespace":
                if (!b.Linux["namespaces"]!.AsArray().Any(n => n!["type"]!.GetValue<string>() == "cgroup"))
                    b.Linux["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "cgroup" });
                break;
            case "non-root user":
                b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 };
                break;
        }
        string[] ids = [b.NewId(), b.NewId()];
        try
        {
            foreach (var id in ids)
            {
                Step(b, ShowCgroups + "echo ran", "PATH=/bin");
                var r = Run(b, id);
                Assert.True(r.ExitCode == 0 && r.Stdout.Contains("ran\n"), r.ToString());
                Assert.DoesNotContain(Cgroups(r), l => l.Contains("/launch-template-"));
                Assert.Empty(Keys(LaunchDir(b)));
            }
        }
        finally { Cleanup(b, [.. ids]); }
    }

    /// <summary>
    /// A SIGKILLed `run` cannot clean up: the template's guard deletes its container, also when --root is
    /// relative to the caller's cwd (the guard runs from /).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_guard_deletes_the_container_of_a_SIGKILLed_warm_run(bool relativeRoot)
    {
        using var b = new Bundle();
        var rt = relativeRoot ? new Rdmarun(Path.GetRelativePath(b.Dir, b.Runtime.Root)) : b.Runtime;
        string publisher = b.NewId(), orphan = b.NewId(), next = b.NewId();
        try
        {
            var key = PublishSleeper(b, publisher, rt);
            using var run = Start(b, orphan, rt.Root);
            int pid = WaitRunning(b, orphan, run);
            Assert.Contains(File.ReadAllLines($"/proc/{pid}/cgroup"), l => l.EndsWith($"/launch-template-{key}/{orphan}"));
            run.Kill(); // SIGKILL to rdmarun itself (sh exec'd it)
            run.WaitForExit();
            var stateDir = Path.Combine(b.Runtime.Root, orphan);
            var cgroups = CgroupDirs(LaunchDir(b), key).Select(d => Path.Combine(d, orphan)).ToList();
            for (int i = 0; i < 600 && (Directory.Exists(stateDir) || cgroups.Any(Directory.Exists) || ProcStart(pid) is not null); i++)
                Thread.Sleep(50);
            Assert.Null(ProcStart(pid));
            AssertContainerGone(b, key, orphan);

            // The template still serves the next run.
            Step(b, ShowCgroups, "PATH=/bin");
            AssertWarm(Run(b, next, rt: rt), key, next);
        }
        finally { Cleanup(b, [publisher, orphan, next], "sleep 30"); }
    }

    [Fact]
    public void Without_warm_run_or_with_ttl_0_no_template_is_used_and_drop_removes_run_templates()
    {
        using var b = new Bundle();
        var launchDir = LaunchDir(b);
        string[] ids = [b.NewId(), b.NewId(), b.NewId(), b.NewId(), b.NewId()];
        var ttl0 = new Dictionary<string, string> { ["RDMARUN_LAUNCH_TEMPLATE_TTL"] = "0" };
        try
        {
            Step(b, ShowCgroups, "PATH=/bin");
            foreach (var id in ids[..2])
            {
                // Opt-in: a plain runc-style `run` leaves no template, guard or mount behind.
                var plain = b.Runtime.Run(b.Dir, "run", "-b", b.Dir, id);
                Assert.True(plain.ExitCode == 0, plain.ToString());
                AssertFull(plain, id);
                Assert.False(Directory.Exists(launchDir), "a run without --warm-run created .launch");
            }
            var r = Run(b, ids[2], ttl0);
            AssertFull(r, ids[2]);
            Assert.False(Directory.Exists(launchDir), "a run with RDMARUN_LAUNCH_TEMPLATE_TTL=0 created .launch");

            Assert.Equal(0, Run(b, ids[3]).ExitCode);
            var key = Assert.Single(Keys(launchDir));
            var guard = int.Parse(Lines(launchDir, key)[1].Split(' ')[1]);
            AssertFull(Run(b, ids[4], ttl0), ids[4]); // a usable template is there, but not for this call

            var drop = b.Runtime.Run(b.Dir, "launch", "--drop-templates");
            Assert.True(drop.ExitCode == 0 && drop.Stdout == "" && drop.Stderr == "", drop.ToString());
            AssertNoTraces(launchDir, key);
            WaitUntil(() => ProcStart(guard) is null);
            Assert.Empty(GuardsOf(launchDir));
        }
        finally { Cleanup(b, [.. ids]); }
    }

    /// <summary>Slurm's oci.conf writes `run ID -b DIR` (flags after the id, as runc accepts), from its own cwd.</summary>
    [Fact]
    public void Bundle_flags_after_the_id_work_on_the_full_and_the_warm_path()
    {
        using var b = new Bundle();
        string[] ids = [b.NewId(), b.NewId(), b.NewId()];
        var launchDir = LaunchDir(b);
        try
        {
            Step(b, ShowCgroups + "echo ran", "PATH=/bin");
            var r = b.Runtime.Run("/", "--warm-run", "run", ids[0], "-b", b.Dir);
            Assert.True(r.ExitCode == 0 && r.Stdout.Contains("ran\n"), r.ToString());
            AssertFull(r, ids[0]);
            var key = Assert.Single(Keys(launchDir));

            r = b.Runtime.Run("/", "--warm-run", "run", ids[1], "--bundle=" + b.Dir);
            Assert.True(r.ExitCode == 0 && r.Stdout.Contains("ran\n"), r.ToString());
            AssertWarm(r, key, ids[1]);

            // From the bundle dir without -b: the same bundle, the same template.
            r = b.Runtime.Run(b.Dir, "--warm-run", "run", ids[2]);
            AssertWarm(r, key, ids[2]);
        }
        finally { Cleanup(b, [.. ids]); }
    }
}
