using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>process.*: identity, cwd, env, capabilities, rlimits, noNewPrivileges, oomScoreAdj; linux.sysctl.</summary>
static class ProcessCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("process-user", "uid, gid, additionalGids and umask", User),
        new("process-cwd", "cwd is the configured directory", Cwd),
        new("process-env", "env is passed exactly", Env),
        new("caps-exact", "all five capability sets match the config exactly (non-root user)", CapsExact),
        new("caps-bounding-root", "bounding set of a root process is exactly the configured one", CapsBoundingRoot),
        new("rlimits", "RLIMIT_NOFILE soft/hard as configured", Rlimits),
        new("no-new-privs", "noNewPrivileges true sets NoNewPrivs, false leaves it clear", NoNewPrivs),
        new("oom-score-adj", "oomScoreAdj is applied", OomScoreAdj),
        new("sysctl", "net.ipv4.ip_forward in the own netns, kernel.shmmax in the own ipc ns", Sysctl),
        new("seccomp", "a seccomp filter is installed (mode 2) and its errno rule applies", Seccomp),
    ];

    static readonly Dictionary<string, int> CapBits = new()
    {
        ["CAP_CHOWN"] = 0, ["CAP_KILL"] = 5, ["CAP_NET_BIND_SERVICE"] = 10, ["CAP_AUDIT_WRITE"] = 29,
    };

    static string Mask(params string[] caps) => caps.Aggregate(0UL, (m, cap) => m | 1UL << CapBits[cap]).ToString("x16");

    static async Task User(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        b.NeedIds(Assets.TestUid + 1);
        b.Process["user"] = new JsonObject
        {
            ["uid"] = Assets.TestUid, ["gid"] = Assets.TestGid,
            ["additionalGids"] = new JsonArray(5, 6), ["umask"] = Convert.ToInt32("027", 8),
        };
        var facts = await c.RunValidatorAsync(b);
        Check.Equal(Assets.TestUid.ToString(), facts["uid"], "uid");
        Check.Equal(Assets.TestUid.ToString(), facts["euid"], "euid");
        Check.Equal(Assets.TestGid.ToString(), facts["gid"], "gid");
        var groups = facts["groups"].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Check.True(groups.Contains("5") && groups.Contains("6"), $"supplementary groups {facts["groups"]} lack 5 and 6");
        Check.True(groups.IsSubsetOf(["5", "6", Assets.TestGid.ToString()]), $"supplementary groups {facts["groups"]} has groups that were not configured");
        Check.Equal("0027", facts["umask"], "umask");
    }

    static async Task Cwd(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        b.Process["cwd"] = "/home/tester";
        Check.Equal("/home/tester", (await c.RunValidatorAsync(b))["cwd"], "cwd");
    }

    static async Task Env(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        string[] env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY=", "WITH_EQUALS=a=b"];
        b.Process["env"] = DefaultSpec.Array(env);
        var actual = (await c.RunValidatorAsync(b)).All("env");
        foreach (var e in env)
            Check.True(actual.Contains(e), $"env lacks \"{e}\"; got {string.Join(" | ", actual)}");
        // runc adds HOME when the config lacks it; anything else is a leak from the runtime's environment.
        var extra = actual.Except(env).Where(e => !e.StartsWith("HOME=")).ToList();
        Check.True(extra.Count == 0, $"env has entries that were not configured: {string.Join(" | ", extra)}");
    }

    static async Task CapsExact(CaseContext c)
    {
        // A non-root process keeps exactly its ambient set across execve, so when ambient = inheritable =
        // permitted = effective the sets seen after exec are the configured ones (for root, execve would
        // raise permitted to the bounding set).
        string[] granted = ["CAP_CHOWN", "CAP_KILL"];
        string[] bounding = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var b = await c.NewBundleAsync();
        b.NeedIds(Assets.TestUid + 1);
        b.Process["user"] = new JsonObject { ["uid"] = Assets.TestUid, ["gid"] = Assets.TestGid };
        b.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = DefaultSpec.Array(bounding), ["effective"] = DefaultSpec.Array(granted),
            ["permitted"] = DefaultSpec.Array(granted), ["inheritable"] = DefaultSpec.Array(granted),
            ["ambient"] = DefaultSpec.Array(granted),
        };
        var facts = await c.RunValidatorAsync(b);
        Check.Equal(Mask(bounding), facts["cap.bnd"], "CapBnd");
        Check.Equal(Mask(granted), facts["cap.eff"], "CapEff");
        Check.Equal(Mask(granted), facts["cap.prm"], "CapPrm");
        Check.Equal(Mask(granted), facts["cap.inh"], "CapInh");
        Check.Equal(Mask(granted), facts["cap.amb"], "CapAmb");
    }

    static async Task CapsBoundingRoot(CaseContext c)
    {
        string[] caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var b = await c.NewBundleAsync();
        b.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = DefaultSpec.Array(caps), ["effective"] = DefaultSpec.Array(caps), ["permitted"] = DefaultSpec.Array(caps),
        };
        var facts = await c.RunValidatorAsync(b);
        Check.Equal(Mask(caps), facts["cap.bnd"], "CapBnd");
        Check.Equal(Mask(caps), facts["cap.eff"], "CapEff");
        Check.Equal(Mask(caps), facts["cap.prm"], "CapPrm");
        Check.Equal(Mask(), facts["cap.amb"], "CapAmb");
    }

    static async Task Rlimits(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        b.Process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 1000, ["hard"] = 2000 });
        Check.Equal("1000 2000", (await c.RunValidatorAsync(b))["rlimit.NOFILE"], "RLIMIT_NOFILE soft hard");
    }

    static async Task NoNewPrivs(CaseContext c)
    {
        foreach (var (value, expected) in new[] { (true, "1"), (false, "0") })
        {
            var b = await c.NewBundleAsync();
            b.Process["noNewPrivileges"] = value;
            Check.Equal(expected, (await c.RunValidatorAsync(b))["no_new_privs"], $"NoNewPrivs with noNewPrivileges={value}");
        }
    }

    static async Task OomScoreAdj(CaseContext c)
    {
        var b = await c.NewBundleAsync();
        b.Process["oomScoreAdj"] = 123;
        Check.Equal("123", (await c.RunValidatorAsync(b))["oom_score_adj"], "oom_score_adj");
    }

    static async Task Sysctl(CaseContext c)
    {
        string hostForward = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();
        string wanted = hostForward == "1" ? "0" : "1";
        var b = await c.NewBundleAsync("sysctl=net.ipv4.ip_forward", "sysctl=kernel.shmmax");
        if (!b.HasNamespace("network"))
            b.AddNamespace("network"); // rootless bundles have none, and net.* sysctls need a private one
        b.Linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = wanted, ["kernel.shmmax"] = "65536" };
        var facts = await c.RunValidatorAsync(b);
        Check.Equal(wanted, facts["sysctl.net.ipv4.ip_forward"], "net.ipv4.ip_forward inside");
        Check.Equal("65536", facts["sysctl.kernel.shmmax"], "kernel.shmmax inside");
        Check.Equal(hostForward, File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim(), "host net.ipv4.ip_forward after the container set its own");
    }

    static async Task Seccomp(CaseContext c)
    {
        var b = await c.NewBundleAsync("mkdir=/tmp/blocked", "touch=/tmp/allowed");
        b.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = DefaultSpec.Array(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
            ["syscalls"] = new JsonArray(new JsonObject
            {
                ["names"] = DefaultSpec.Array(["mkdir", "mkdirat"]),
                ["action"] = "SCMP_ACT_ERRNO",
                ["errnoRet"] = 1, // EPERM
            }),
        };
        var facts = await c.RunValidatorAsync(b);
        Check.Equal("2", facts["seccomp"], "Seccomp mode in /proc/self/status");
        Check.Equal("err:EPERM", facts["mkdir./tmp/blocked"], "mkdir under a filter that returns EPERM for it");
        Check.Equal("ok", facts["touch./tmp/allowed"], "openat under the same filter");
    }
}
