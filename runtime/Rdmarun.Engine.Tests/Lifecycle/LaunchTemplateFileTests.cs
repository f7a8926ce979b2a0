using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Lifecycle;

/// <summary>The `template` text the C fast path reads (LAUNCH_TEMPLATE.md), line by line.</summary>
public class LaunchTemplateFileTests
{
    private static (Spec Spec, LaunchSpec.EnvInputs Env) Rank(LaunchOptions o, Action<Spec>? edit = null)
    {
        var spec = new Spec
        {
            Process = new Process
            {
                Args = ["sh"], Cwd = "/",
                // A duplicate and a nameless entry: the template carries the merge's view of them.
                Env = ["PATH=/usr/bin:/bin", "TERM=xterm", "PATH=/opt/bin", "=junk", "LANG=C.UTF-8 x"],
                Capabilities = new LinuxCapabilities
                {
                    Bounding = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                    Effective = ["CAP_KILL"], Permitted = ["CAP_KILL", "CAP_NET_BIND_SERVICE"], Ambient = ["CAP_NET_BIND_SERVICE"],
                },
                Rlimits = [new POSIXRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 4096 },
                           new POSIXRlimit { Type = "RLIMIT_MEMLOCK", Soft = ulong.MaxValue, Hard = ulong.MaxValue }],
                NoNewPrivileges = true,
                OomScoreAdj = 100,
                User = new User { Umask = 0x12 }, // 022
            },
            Root = new Root { Path = "rootfs" },
            Linux = new Linux { Namespaces = [new LinuxNamespace { Type = "mount" }] },
        };
        edit?.Invoke(spec);
        var caller = new Dictionary<string, string> { ["OMPI_COMM_WORLD_RANK"] = "0", ["HOME"] = "/root" };
        var env = LaunchSpec.Apply(spec, o with { LauncherTag = "1:2" }, new LaunchSpec.Caller(0, 0, [0], "/work job", caller));
        return (spec, env);
    }

    private static string Text(Spec spec, LaunchSpec.EnvInputs env, Dictionary<string, string>? cgroups = null) =>
        LaunchTemplateFile.Text(new LaunchTemplateFile.Inputs(4242, 987654321, 2049, 131077, "/srv/my bundle", "/srv/my bundle/rootfs",
            cgroups ?? new Dictionary<string, string> { ["memory"] = "/sys/fs/cgroup/memory/launch-template-0123456789abcdef", [""] = "/sys/fs/cgroup/unified/launch-template-0123456789abcdef" },
            spec, env));

    [Fact]
    public void Every_directive_in_the_documented_order()
    {
        var o = new LaunchOptions { Args = ["./ring"], Env = ["A=1", "B=two words"], PassPrefixes = ["MY_"], PassNames = ["JOBID"] };
        var (spec, env) = Rank(o);
        var expected = string.Join('\n', new List<string> {
            "version 1",
            "guard 4242 987654321",
            "rootfs 2049 131077",
            "bundle /srv/my bundle",
            "rootfspath /srv/my bundle/rootfs",
            "cgroup - /sys/fs/cgroup/unified/launch-template-0123456789abcdef",
            "cgroup memory /sys/fs/cgroup/memory/launch-template-0123456789abcdef",
            // CAP_KILL = 5, CAP_NET_BIND_SERVICE = 10, CAP_AUDIT_WRITE = 29
            "caps 20000420 20 420 0 400",
            "rlimit 7 1024 4096",
            "rlimit 8 18446744073709551615 18446744073709551615",
            "nnp",
            "umask 022",
            "oom 100",
            "env PATH=/opt/bin",
            "env TERM=xterm",
            "env LANG=C.UTF-8 x",
        }.Concat(LaunchSpec.DefaultPassPrefixes.Select(p => "passprefix " + p)).Append("passprefix MY_")
         .Concat(LaunchSpec.DefaultPassNames.Select(n => "passname " + n)).Append("passname JOBID")
         .Append("setenv A=1").Append("setenv B=two words")) + "\n";
        Assert.Equal(expected, Text(spec, env));
    }

    [Fact]
    public void Unset_settings_leave_their_lines_out()
    {
        var (spec, env) = Rank(new LaunchOptions { Args = ["x"] }, s =>
        {
            s.Process!.Capabilities = null;
            s.Process.Rlimits = null;
            s.Process.NoNewPrivileges = false;
            s.Process.OomScoreAdj = null;
            s.Process.User.Umask = null;
        });
        var lines = Text(spec, env).Split('\n');
        foreach (var d in new[] { "caps", "rlimit", "nnp", "umask", "oom", "setenv" })
            Assert.DoesNotContain(lines, l => l == d || l.StartsWith(d + " "));
        Assert.Contains("env TERM=xterm", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("env HOME=") || l.Contains("OMPI_COMM_WORLD_RANK")); // per rank: C adds them
    }

    [Fact]
    public void A_value_with_a_newline_is_refused()
    {
        var (spec, env) = Rank(new LaunchOptions { Args = ["x"], Env = ["X=a\nnnp"] });
        var e = Assert.Throws<RuntimeError>(() => Text(spec, env));
        Assert.Contains("setenv", e.Message);
    }

    [Fact]
    public void The_merge_of_the_templates_env_inputs_is_the_ranks_env()
    {
        var o = new LaunchOptions { Args = ["x"], Env = ["TERM=dumb"], PassNames = ["JOBID"] };
        var (spec, env) = Rank(o);
        var caller = new Dictionary<string, string> { ["OMPI_COMM_WORLD_RANK"] = "0", ["HOME"] = "/root" };
        Assert.Equal(spec.Process!.Env, LaunchSpec.MergeEnv(env, caller));
        Assert.Equal(["PATH=/opt/bin", "TERM=dumb", "LANG=C.UTF-8 x", "OMPI_COMM_WORLD_RANK=0"], spec.Process.Env);
    }

    [Fact]
    public void Read_gives_back_the_version_guard_rootfs_bundle_and_cgroups()
    {
        var (spec, env) = Rank(new LaunchOptions { Args = ["x"] });
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Text(spec, env));
            var s = LaunchTemplateFile.Read(path)!;
            Assert.Equal(1, s.Version);
            Assert.Equal(4242, s.GuardPid);
            Assert.Equal((2049UL, 131077UL), (s.RootfsDev, s.RootfsIno));
            Assert.Equal("/srv/my bundle/rootfs", s.Rootfs);
            Assert.Equal(987654321UL, s.GuardStartTime);
            Assert.Equal("/srv/my bundle", s.Bundle);
            Assert.Equal("/sys/fs/cgroup/unified/launch-template-0123456789abcdef", s.CgroupPaths[""]);
            Assert.Equal("/sys/fs/cgroup/memory/launch-template-0123456789abcdef", s.CgroupPaths["memory"]);
            Assert.Equal(2, s.CgroupPaths.Count);
        }
        finally { File.Delete(path); }
        Assert.Null(LaunchTemplateFile.Read(path));
    }
}
