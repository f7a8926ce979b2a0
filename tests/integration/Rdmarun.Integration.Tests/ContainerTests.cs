using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>What the process inside sees: namespaces, mounts, devices, identity, limits.</summary>
public class ContainerTests
{
    private static string RunOk(Bundle b)
    {
        b.Save();
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    [Fact]
    public void The_process_is_pid_1_with_its_hostname_in_new_namespaces()
    {
        using var b = new Bundle("sh", "-c", "echo $$; hostname; for n in net mnt ipc uts pid; do readlink /proc/1/ns/$n; done");
        b.Config["hostname"] = "box1";
        var lines = RunOk(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1", lines[0]);
        Assert.Equal("box1", lines[1]);
        foreach (var (ns, i) in new[] { ("net", 2), ("mnt", 3), ("ipc", 4), ("uts", 5), ("pid", 6) })
            Assert.NotEqual(new FileInfo($"/proc/self/ns/{ns}").LinkTarget, lines[i]);
    }

    [Fact]
    public void A_user_namespace_maps_ids_as_configured()
    {
        using var b = new Bundle("cat", "/proc/self/uid_map", "/proc/self/gid_map");
        b.Linux["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "user" });
        b.Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        b.Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        // The rootfs must be readable by the mapped root.
        foreach (var p in Directory.EnumerateFileSystemEntries(b.Rootfs, "*", SearchOption.AllDirectories).Append(b.Rootfs).Append(b.Dir)
                     .Where(p => new FileInfo(p).LinkTarget is null))
            File.SetUnixFileMode(p, File.GetUnixFileMode(p) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var output = RunOk(b).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.Equal(["0 100000 65536", "0 100000 65536"], output);
    }

    [Fact]
    public void Mounts_options_masked_and_readonly_paths_apply()
    {
        using var b = new Bundle("sh", "-c", "grep ' /data ' /proc/self/mountinfo; cat /proc/kcore | wc -c; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo writable || echo ro; touch /x 2>/dev/null && echo rootrw || echo rootro");
        b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/data", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("nosuid", "nodev", "noexec", "size=1m", "mode=700") });
        b.Config["root"]!["readonly"] = true;
        var output = RunOk(b);
        Assert.Matches(@"/data rw,nosuid,nodev,noexec", output);
        Assert.Contains("size=1024k", output);
        Assert.Contains("mode=700", output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", lines[1].Trim());
        Assert.Equal("ro", lines[2]);
        Assert.Equal("rootro", lines[3]);
    }

    [Fact]
    public void Default_and_configured_devices_exist_with_their_numbers()
    {
        using var b = new Bundle("sh", "-c", "stat -c '%n %F %t:%T %a %u:%g' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/mydev; readlink /dev/fd; readlink /dev/ptmx");
        b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/mydev", ["type"] = "c", ["major"] = 1, ["minor"] = 3, ["fileMode"] = 432, ["uid"] = 1000, ["gid"] = 1000 });
        var output = RunOk(b);
        Assert.Contains("/dev/null character special file 1:3 666 0:0", output);
        Assert.Contains("/dev/tty character special file 5:0 666 0:0", output);
        Assert.Contains("/dev/mydev character special file 1:3 660 1000:1000", output);
        Assert.Contains("/proc/self/fd", output);
        Assert.Contains("pts/ptmx", output);
    }

    [Fact]
    public void User_groups_umask_capabilities_rlimits_and_no_new_privs_apply()
    {
        using var b = new Bundle("sh", "-c", "id -u; id -g; id -G; umask; grep -E '^(CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status; cat /proc/self/limits | grep 'open files'; cat /proc/self/oom_score_adj");
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000, ["additionalGids"] = new JsonArray(5, 6), ["umask"] = 63 };
        b.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = new JsonArray("CAP_NET_BIND_SERVICE", "CAP_KILL"), ["effective"] = new JsonArray("CAP_NET_BIND_SERVICE"),
            ["permitted"] = new JsonArray("CAP_NET_BIND_SERVICE"), ["inheritable"] = new JsonArray("CAP_NET_BIND_SERVICE"), ["ambient"] = new JsonArray("CAP_NET_BIND_SERVICE"),
        };
        b.Process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = 2048, ["soft"] = 512 });
        b.Process["noNewPrivileges"] = true;
        b.Process["oomScoreAdj"] = 123;
        var lines = RunOk(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1000", lines[0]);
        Assert.Equal("1000", lines[1]);
        Assert.Equal("1000 5 6", lines[2]);
        Assert.Equal("0077", lines[3]);
        Assert.Equal("CapEff:\t0000000000000400", lines[4]);
        Assert.Equal("CapBnd:\t0000000000000420", lines[5]);
        Assert.Equal("CapAmb:\t0000000000000400", lines[6]);
        Assert.Equal("NoNewPrivs:\t1", lines[7]);
        Assert.Matches(@"Max open files\s+512\s+2048", lines[8]);
        Assert.Equal("123", lines[9]);
    }

    [Fact]
    public void Sysctls_cwd_and_env_reach_the_process()
    {
        using var b = new Bundle("sh", "-c", "cat /proc/sys/net/ipv4/ip_forward; pwd; echo $FOO; echo $HOME");
        b.Linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" };
        b.Process["cwd"] = "/tmp";
        b.Process["env"]!.AsArray().Add("FOO=bar baz");
        var lines = RunOk(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["1", "/tmp", "bar baz", "/root"], lines);
    }

    [Fact]
    public void Exec_joins_the_running_container_and_returns_the_exit_status()
    {
        using var b = new Bundle("sleep", "1000");
        b.Config["hostname"] = "exechost";
        b.Save();
        var id = b.NewId();
        Assert.Equal(0, b.Rt("run", "-d", id).ExitCode);
        var r = b.Rt("exec", id, "sh", "-c", "hostname; cat /proc/1/cmdline; echo; exit 5");
        Assert.Equal(5, r.ExitCode);
        Assert.Equal("exechost\nsleep1000\n", r.Stdout.Replace("\0", ""));
        var missing = b.Rt("exec", id, "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("executable file not found", missing.Stderr);
        var pf = Path.Combine(b.Dir, "exec.pid");
        Assert.Equal(0, b.Rt("exec", "-d", "--pid-file", pf, id, "sleep", "1000").ExitCode);
        Assert.True(int.Parse(File.ReadAllText(pf)) > 0);
    }
}
