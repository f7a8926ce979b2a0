using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// Configurations the OCI runtime-tools validation suite uses that rdmarun refused or got wrong
/// (tests/runtime-tools/README.md): rootfsPropagation, fifos in linux.devices, memory rlimits,
/// mount and uts namespaces joined by path.
/// </summary>
public class RuntimeToolsCaseTests
{
    /// <summary>The optional fields of / in the container's mountinfo ("shared:N", "master:N", "unbindable").</summary>
    private static string RootPropagation(string rootfsPropagation)
    {
        using var b = new Bundle("grep", "-E", "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ", "/proc/self/mountinfo");
        b.Linux["rootfsPropagation"] = rootfsPropagation;
        b.Save();
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        var fields = r.Stdout.Trim().Split(' ');
        return string.Join(' ', fields.Skip(6).TakeWhile(f => f != "-"));
    }

    [Fact]
    public void Shared_root_propagation_makes_the_container_root_shared()
    {
        // pivot_root used to fail with EINVAL: the mount holding the rootfs was shared.
        Assert.Matches(@"\bshared:\d+", RootPropagation("shared"));
    }

    [Fact]
    public void Unbindable_root_propagation_makes_the_container_root_unbindable()
    {
        // Binding the rootfs onto itself used to fail: / had been made unbindable before it.
        Assert.Contains("unbindable", RootPropagation("unbindable"));
    }

    [Fact]
    public void Private_root_propagation_leaves_no_peer_or_master()
    {
        Assert.Equal("", RootPropagation("private"));
    }

    [Fact]
    public void A_fifo_in_linux_devices_is_created_without_a_device_cgroup_rule()
    {
        using var b = new Bundle("stat", "-c", "%n %F %a", "/dev/myfifo");
        b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/myfifo", ["type"] = "p", ["fileMode"] = 432 });
        b.Save();
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("/dev/myfifo fifo 660", r.Stdout.Trim());
    }

    [Fact]
    public void A_one_gib_address_space_limit_with_a_seccomp_profile_still_starts_the_process()
    {
        // The limit used to apply while rdmarun's init still ran: libseccomp got ENOMEM, the init died.
        const long GiB = 1L << 30;
        using var b = new Bundle("grep", "Max address space", "/proc/self/limits");
        b.Process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_AS", ["hard"] = 2 * GiB, ["soft"] = GiB });
        // A profile as large as Docker's: compiling it needs fresh memory.
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "rdmarun.slnx"))) dir = Path.GetDirectoryName(dir);
        b.Linux["seccomp"] = JsonNode.Parse(File.ReadAllText(Path.Combine(dir!, "tests/integration/Rdmarun.Integration.Tests/Fixtures/docker-default-seccomp.json")));
        b.Save();
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches($@"Max address space\s+{GiB}\s+{2 * GiB}\s+bytes", r.Stdout);
    }

    [Fact]
    public void Mount_and_uts_namespaces_joined_by_path_are_used_and_get_the_hostname()
    {
        // A host process holding its own mount and uts namespaces, as the suite's linux_ns_path does.
        using var holder = Process.Start("unshare", ["--mount", "--uts", "--propagation", "private", "sleep", "60"])!;
        try
        {
            var mnt = $"/proc/{holder.Id}/ns/mnt";
            var uts = $"/proc/{holder.Id}/ns/uts";
            var deadline = DateTime.UtcNow.AddSeconds(10);
            // unshare execs sleep in the same pid once the namespaces exist.
            while (new FileInfo(mnt).LinkTarget == new FileInfo("/proc/self/ns/mnt").LinkTarget && DateTime.UtcNow < deadline)
                Thread.Sleep(20);
            using var b = new Bundle("sh", "-c", "hostname; readlink /proc/self/ns/mnt; readlink /proc/self/ns/uts");
            b.Config["hostname"] = "joined1";
            var ns = b.Linux["namespaces"]!.AsArray();
            foreach (var type in new[] { "mount", "uts" })
                ns.Remove(ns.First(n => n!["type"]!.GetValue<string>() == type));
            ns.Add(new JsonObject { ["type"] = "mount", ["path"] = mnt });
            ns.Add(new JsonObject { ["type"] = "uts", ["path"] = uts });
            b.Save();

            var r = b.Rt("run", b.NewId());
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(["joined1", new FileInfo(mnt).LinkTarget!, new FileInfo(uts).LinkTarget!],
                r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
    }
}
