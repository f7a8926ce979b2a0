using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>The default device nodes and links every container gets, and linux.devices.</summary>
static class DeviceCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("default-devices", "/dev/null, zero, full, random, urandom, tty are char devices with mode 0666", DefaultDevices),
        new("default-dev-links", "/dev/ptmx, /dev/fd, /dev/stdin, stdout, stderr links", DefaultLinks),
        new("default-devices-usable", "the default devices work through the device cgroup", DevicesUsable),
        new("linux-devices", "linux.devices creates a node with type, major/minor, mode, uid, gid", LinuxDevices),
    ];

    static readonly (string Path, int Major, int Minor)[] Defaults =
        [("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7), ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0)];

    static async Task DefaultDevices(CaseContext c)
    {
        var facts = await c.RunValidatorAsync(await c.NewBundleAsync([.. Defaults.Select(d => $"stat={d.Path}")]));
        foreach (var (path, major, minor) in Defaults)
        {
            var parts = facts[$"stat.{path}"].Split(' ');
            Check.Equal($"c {major} {minor} 0666", string.Join(' ', parts.Take(4)), $"type, major, minor and mode of {path}");
        }
    }

    static async Task DefaultLinks(CaseContext c)
    {
        var expected = new Dictionary<string, string[]>
        {
            // runc and crun use "pts/ptmx"; the spec only says it must reach the devpts ptmx.
            ["/dev/ptmx"] = ["pts/ptmx", "/dev/pts/ptmx"],
            ["/dev/fd"] = ["/proc/self/fd"],
            ["/dev/stdin"] = ["/proc/self/fd/0"],
            ["/dev/stdout"] = ["/proc/self/fd/1"],
            ["/dev/stderr"] = ["/proc/self/fd/2"],
        };
        var facts = await c.RunValidatorAsync(await c.NewBundleAsync([.. expected.Keys.Select(p => $"readlink={p}")]));
        foreach (var (path, targets) in expected)
        {
            string actual = facts[$"readlink.{path}"];
            Check.True(targets.Contains(actual), $"{path} links to \"{actual}\", expected {string.Join(" or ", targets)}");
        }
    }

    static async Task DevicesUsable(CaseContext c)
    {
        var facts = await c.RunValidatorAsync(await c.NewBundleAsync("read=/dev/zero", "write=/dev/null:x", "read=/dev/urandom", "write=/dev/full:x"));
        Check.True(facts["read./dev/zero"].StartsWith("ok:") && facts["read./dev/zero"] != "ok:0", $"reading /dev/zero: {facts["read./dev/zero"]}");
        Check.Equal("ok", facts["write./dev/null"], "writing /dev/null");
        Check.True(facts["read./dev/urandom"].StartsWith("ok:") && facts["read./dev/urandom"] != "ok:0", $"reading /dev/urandom: {facts["read./dev/urandom"]}");
        Check.Equal("err:No space left on device", facts["write./dev/full"], "writing /dev/full");
    }

    static async Task LinuxDevices(CaseContext c)
    {
        var b = await c.NewBundleAsync("stat=/dev/custom0", "read=/dev/custom0");
        // mknod of a device node needs CAP_MKNOD in the initial user namespace; a rootless runtime can
        // only bind the host's node at the same path, and the host has no /dev/custom0.
        if (b.User is not null)
            throw new CaseSkippedException("needs mknod (CAP_MKNOD in the host's user namespace) for a device the host does not have at /dev/custom0");
        b.Linux["devices"] = new JsonArray(new JsonObject
        {
            ["path"] = "/dev/custom0", ["type"] = "c", ["major"] = 1, ["minor"] = 5,
            ["fileMode"] = Convert.ToInt32("644", 8), ["uid"] = Assets.TestUid, ["gid"] = Assets.TestGid,
        });
        // 0644 so the default root process, which lacks CAP_DAC_OVERRIDE, can still open a node owned by 1000.
        // The device cgroup denies everything by default; allow this node so it is also usable.
        ((JsonArray)b.Resources["devices"]!).Add(new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 1, ["minor"] = 5, ["access"] = "rwm" });
        var facts = await c.RunValidatorAsync(b);
        Check.Equal($"c 1 5 0644 {Assets.TestUid} {Assets.TestGid}", facts["stat./dev/custom0"], "type, major, minor, mode, uid, gid of /dev/custom0");
        Check.True(facts["read./dev/custom0"] != "ok:0" && facts["read./dev/custom0"].StartsWith("ok:"), $"reading /dev/custom0 (a zero device): {facts["read./dev/custom0"]}");
    }
}
