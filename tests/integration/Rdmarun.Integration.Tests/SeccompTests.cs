using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>linux.seccomp in real containers: what the process inside sees when a filter is loaded.</summary>
public class SeccompTests
{
    private static JsonObject Profile(string defaultAction, params JsonObject[] rules) => new()
    {
        ["defaultAction"] = defaultAction,
        ["syscalls"] = new JsonArray(rules.Select(r => (JsonNode)r).ToArray()),
    };

    private static JsonObject Rule(string action, params string[] names) => new()
    {
        ["names"] = new JsonArray(names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
        ["action"] = action,
    };

    private static Rdmarun.Result Run(Bundle b)
    {
        b.Save();
        return b.Rt("run", b.NewId());
    }

    private static JsonObject DockerDefault()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "rdmarun.slnx"))) dir = Path.GetDirectoryName(dir);
        var path = Path.Combine(dir!, "tests/integration/Rdmarun.Integration.Tests/Fixtures/docker-default-seccomp.json");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_errno_rule_makes_the_syscall_fail_with_eperm(bool noNewPrivileges)
    {
        using var b = new Bundle("sh", "-c", "grep Seccomp: /proc/self/status; busybox mkdir /tmp/x 2>&1; echo rc=$?; test -d /tmp/x && echo made; true");
        b.Process["noNewPrivileges"] = noNewPrivileges;
        b.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
        var r = Run(b);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stdout);
        Assert.Contains("rc=1", r.Stdout);
        Assert.DoesNotContain("made", r.Stdout);
    }

    [Fact]
    public void ErrnoRet_chooses_the_error()
    {
        using var b = new Bundle("sh", "-c", "busybox mkdir /tmp/x 2>&1");
        var rule = Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat");
        rule["errnoRet"] = 13;
        b.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", rule);
        var r = Run(b);
        Assert.Contains("Permission denied", r.Stdout);
    }

    [Fact]
    public void DefaultErrnoRet_is_what_unlisted_syscalls_return()
    {
        // Docker's profile without mkdir: mkdir falls to the default action, ERRNO(defaultErrnoRet).
        using var b = new Bundle("sh", "-c", "busybox mkdir /tmp/x 2>&1; echo rc=$?");
        var p = DockerDefault();
        p["defaultErrnoRet"] = 13;
        var allow = p["syscalls"]![0]!["names"]!.AsArray();
        foreach (var n in allow.Where(n => (string)n! is "mkdir" or "mkdirat").ToList()) allow.Remove(n);
        b.Linux["seccomp"] = p;
        var r = Run(b);
        Assert.Contains("Permission denied", r.Stdout);
        Assert.Contains("rc=1", r.Stdout);
    }

    [Fact]
    public void An_argument_condition_blocks_only_matching_calls()
    {
        // personality(PER_LINUX32 = 8) is refused, personality(PER_LINUX = 0) is not.
        using var b = new Bundle("sh", "-c", "busybox linux64 true && echo linux64-ok; busybox linux32 true 2>&1; echo rc=$?");
        var rule = Rule("SCMP_ACT_ERRNO", "personality");
        rule["args"] = new JsonArray(new JsonObject { ["index"] = 0, ["value"] = 8, ["op"] = "SCMP_CMP_EQ" });
        b.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", rule);
        var r = Run(b);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("linux64-ok", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stdout);
        Assert.Contains("rc=1", r.Stdout);
    }

    [Fact]
    public void Kill_ends_the_process_with_sigsys()
    {
        using var b = new Bundle("busybox", "mkdir", "/tmp/x");
        b.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_KILL", "mkdir", "mkdirat"));
        var r = Run(b);
        Assert.True(r.ExitCode == 128 + 31, r.ToString());
    }

    [Fact]
    public void Dockers_default_profile_runs_a_shell_and_blocks_mount_and_unshare()
    {
        // CAP_SYS_ADMIN is granted, so only the profile (built for a container without it) stands in the way.
        using var b = new Bundle("sh", "-c", "echo ok; grep Seccomp: /proc/self/status; busybox mount -t tmpfs none /tmp 2>&1; echo mount=$?; busybox unshare -m true 2>&1; echo unshare=$?");
        foreach (var set in new[] { "bounding", "effective", "permitted" })
            b.Process["capabilities"]![set]!.AsArray().Add("CAP_SYS_ADMIN");
        b.Save();
        var control = b.Rt("run", b.NewId());
        Assert.Contains("mount=0", control.Stdout);
        Assert.Contains("unshare=0", control.Stdout);

        b.Linux["seccomp"] = DockerDefault();
        var r = Run(b);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("ok\n", r.Stdout);
        Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        Assert.Contains("mount=1", r.Stdout);
        Assert.Contains("unshare=1", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stdout);
    }

    [Fact]
    public void Exec_processes_get_the_containers_filter()
    {
        using var b = new Bundle("sleep", "30");
        b.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
        b.Save();
        var id = b.NewId();
        var r = b.Rt("run", "--detach", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        var e = b.Rt("exec", id, "sh", "-c", "grep Seccomp: /proc/self/status; busybox mkdir /tmp/y 2>&1; echo rc=$?");
        Assert.True(e.ExitCode == 0, e.ToString());
        Assert.Matches(@"Seccomp:\s+2", e.Stdout);
        Assert.Contains("Operation not permitted", e.Stdout);
        b.Rt("kill", id, "KILL");
    }

    [Fact]
    public void A_bad_profile_fails_with_its_json_path()
    {
        using var b = new Bundle("true");
        b.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ALLOW", "read"), Rule("SCMP_ACT_FOO", "mkdir"));
        var r = Run(b);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("linux.seccomp.syscalls[1]", r.Stderr);
        Assert.Contains("\"SCMP_ACT_FOO\"", r.Stderr);
    }

    [Fact]
    public void A_flag_this_build_cannot_set_is_an_error_not_ignored()
    {
        using var b = new Bundle("echo", "started");
        var p = Profile("SCMP_ACT_ALLOW");
        p["flags"] = new JsonArray("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        b.Linux["seccomp"] = p;
        var r = Run(b);
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("started", r.Stdout);
        Assert.Contains("seccomp: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV in linux.seccomp.flags[0] is not supported by this build", r.Stderr);
    }

    [Fact]
    public void Features_report_seccomp()
    {
        using var b = new Bundle("true");
        var r = b.Rt("features");
        var f = JsonNode.Parse(r.Stdout)!["linux"]!["seccomp"]!;
        Assert.True((bool)f["enabled"]!);
        Assert.Contains("SCMP_ACT_KILL_PROCESS", f["actions"]!.AsArray().Select(a => (string)a!));
        Assert.Contains("SCMP_ARCH_X86_64", f["archs"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task Notify_hands_the_fd_and_the_process_state_to_the_listener()
    {
        using var b = new Bundle("sh", "-c", "busybox mkdir /tmp/x 2>&1; echo rc=$?");
        var sockPath = Path.Combine(b.Dir, "agent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(sockPath));
        listener.Listen(1);
        // The agent: takes the fd and closes it, so the intercepted mkdir returns ENOSYS.
        var agent = Task.Run(() =>
        {
            using var conn = listener.Accept();
            var (json, fd) = Agent.ReceiveFd(conn);
            if (fd >= 0) Agent.close(fd);
            return (json, fd);
        });
        var p = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", "mkdir", "mkdirat"));
        p["listenerPath"] = sockPath;
        p["listenerMetadata"] = "meta-1";
        b.Linux["seccomp"] = p;
        var r = Run(b);
        var (json, gotFd) = await agent.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(gotFd >= 0, "no fd in SCM_RIGHTS");
        var state = JsonNode.Parse(json)!;
        Assert.Equal(["seccompFd"], state["fds"]!.AsArray().Select(f => (string)f!));
        Assert.Equal("meta-1", (string)state["metadata"]!);
        Assert.True((int)state["pid"]! > 0);
        Assert.Equal(b.Dir, (string)state["state"]!["bundle"]!);
        Assert.Contains("Function not implemented", r.Stdout);
        Assert.Contains("rc=1", r.Stdout);
    }

    private static unsafe class Agent
    {
        [StructLayout(LayoutKind.Sequential)] private struct IoVec { public void* Base; public nuint Len; }
        [StructLayout(LayoutKind.Sequential)]
        private struct MsgHdr { public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen; public void* Control; public nuint ControlLen; public int Flags; }
        [DllImport("libc", SetLastError = true)] private static extern nint recvmsg(int fd, MsgHdr* msg, int flags);
        [DllImport("libc")] public static extern int close(int fd);

        /// <summary>One message: the JSON payload and the fd from SCM_RIGHTS (-1 when none came).</summary>
        public static (string Json, int Fd) ReceiveFd(Socket s)
        {
            var buf = new byte[65536];
            byte* control = stackalloc byte[64];
            fixed (byte* p = buf)
            {
                var iov = new IoVec { Base = p, Len = (nuint)buf.Length };
                var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
                long n = recvmsg((int)s.Handle, &msg, 0);
                if (n < 0) throw new IOException($"recvmsg: errno {Marshal.GetLastPInvokeError()}");
                int fd = msg.ControlLen >= 20 && *(int*)(control + 8) == 1 && *(int*)(control + 12) == 1 ? *(int*)(control + 16) : -1;
                return (System.Text.Encoding.UTF8.GetString(buf, 0, (int)n), fd);
            }
        }
    }
}
