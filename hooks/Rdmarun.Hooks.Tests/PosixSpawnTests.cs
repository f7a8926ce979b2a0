namespace Rdmarun.Hooks.Tests;

public class PosixSpawnTests
{
    [Fact]
    public void Exit_code_is_reported_by_waitpid()
    {
        int pid = PosixSpawn.Spawn("/bin/sh", ["sh", "-c", "exit 3"], [], []);
        int reaped = PosixSpawn.WaitPid(pid, out int status);

        Assert.Equal(pid, reaped);
        Assert.True(WaitStatus.Exited(status));
        Assert.Equal(3, WaitStatus.ExitStatus(status));
        Assert.Equal(3, WaitStatus.ToExitCode(status));
        Assert.Equal("exit status 3", WaitStatus.Describe(status));
    }

    [Fact]
    public void Killed_child_decodes_as_128_plus_signal()
    {
        var (_, status) = SpawnHelper.Sh("kill -9 $$");

        Assert.True(WaitStatus.Signaled(status));
        Assert.Equal(9, WaitStatus.TermSignal(status));
        Assert.Equal(137, WaitStatus.ToExitCode(status));
        Assert.Equal("killed by signal 9 (SIGKILL)", WaitStatus.Describe(status));
    }

    [Fact]
    public void Mapped_pipe_becomes_the_childs_stdout()
    {
        var (output, status) = SpawnHelper.Sh("echo hello");

        Assert.Equal("hello\n", output);
        Assert.Equal(0, WaitStatus.ToExitCode(status));
    }

    [Fact]
    public void Fd_mapped_onto_its_own_number_stays_open_across_exec()
    {
        // Pipe fds are close-on-exec; a plain dup2(fd, fd) would leave that flag set.
        var (r, w) = PosixSpawn.Pipe();
        try
        {
            int pid = PosixSpawn.Spawn("/bin/sh", ["sh", "-c", $"echo same-number > /proc/self/fd/{w}"], [], [(w, w)]);
            PosixSpawn.Close(w);
            w = -1;
            string output = TestLibC.ReadAll(r);
            PosixSpawn.WaitPid(pid, out int status);

            Assert.Equal("same-number\n", output);
            Assert.Equal(0, WaitStatus.ToExitCode(status));
        }
        finally
        {
            PosixSpawn.Close(r);
            PosixSpawn.Close(w);
        }
    }

    [Fact]
    public void Crossed_mappings_do_not_overwrite_each_other()
    {
        // a -> fd 3 and b -> fd 4 where a is numbered lower: the mapping order must not matter.
        var (aRead, aWrite) = PosixSpawn.Pipe();
        var (bRead, bWrite) = PosixSpawn.Pipe();
        try
        {
            int pid = PosixSpawn.Spawn("/bin/sh", ["sh", "-c", "echo to-b >&4; echo to-a >&3"], [],
                [(aWrite, 3), (bWrite, 4), (bWrite, 5)]);
            PosixSpawn.Close(aWrite); aWrite = -1;
            PosixSpawn.Close(bWrite); bWrite = -1;
            string a = TestLibC.ReadAll(aRead);
            string b = TestLibC.ReadAll(bRead);
            PosixSpawn.WaitPid(pid, out _);

            Assert.Equal("to-a\n", a);
            Assert.Equal("to-b\n", b);
        }
        finally
        {
            foreach (int fd in new[] { aRead, aWrite, bRead, bWrite }) PosixSpawn.Close(fd);
        }
    }

    [Fact]
    public void Environment_is_exactly_envp()
    {
        var (output, _) = SpawnHelper.Sh("cat /proc/$$/environ", ["FOO=bar", "EMPTY=", "SPACED=a b"]);

        Assert.Equal(["FOO=bar", "EMPTY=", "SPACED=a b"], output.Split('\0', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Argv_zero_is_passed_as_given()
    {
        var (r, w) = PosixSpawn.Pipe();
        try
        {
            int pid = PosixSpawn.Spawn("/bin/sh", ["custom-argv0", "-c", "cat /proc/$$/cmdline", "x"], [], [(w, 1)]);
            PosixSpawn.Close(w); w = -1;
            string output = TestLibC.ReadAll(r);
            PosixSpawn.WaitPid(pid, out _);

            Assert.Equal(["custom-argv0", "-c", "cat /proc/$$/cmdline", "x"], output.Split('\0', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            PosixSpawn.Close(r);
            PosixSpawn.Close(w);
        }
    }

    [Fact]
    public void Unmapped_inheritable_fds_are_closed_in_the_child()
    {
        // A fd without close-on-exec (as native code may create for a container's init) must not
        // reach the child.
        var (r, w) = PosixSpawn.Pipe();
        int leaky = TestLibC.dup(r); // dup clears close-on-exec
        try
        {
            Assert.True(leaky > 2);
            Assert.Equal(0, TestLibC.fcntl(leaky, TestLibC.F_GETFD, 0) & TestLibC.FD_CLOEXEC);
            var (output, _) = SpawnHelper.Sh($"if [ -e /proc/$$/fd/{leaky} ]; then echo open; else echo closed; fi");

            Assert.Equal("closed\n", output);
        }
        finally
        {
            PosixSpawn.Close(leaky);
            PosixSpawn.Close(r);
            PosixSpawn.Close(w);
        }
    }

    [Fact]
    public void Closed_source_fd_leaves_the_child_fd_closed()
    {
        // The target number holds an inheritable fd in the parent; mapping a closed fd onto it must
        // not let that one through.
        var (r, w) = PosixSpawn.Pipe();
        int target = TestLibC.dup(r);
        const int closedFd = 999;
        try
        {
            Assert.Equal(-1, TestLibC.fcntl(closedFd, TestLibC.F_GETFD, 0));
            var (output, status) = SpawnHelper.Sh($"if [ -e /proc/$$/fd/{target} ]; then echo open; else echo closed; fi",
                extraFds: [(closedFd, target)]);

            Assert.Equal("closed\n", output);
            Assert.Equal(0, WaitStatus.ToExitCode(status));
        }
        finally
        {
            PosixSpawn.Close(target);
            PosixSpawn.Close(r);
            PosixSpawn.Close(w);
        }
    }

    [Fact]
    public void Signal_dispositions_and_mask_are_reset()
    {
        // The .NET runtime ignores SIGPIPE; an ignored signal survives exec unless reset.
        var (output, _) = SpawnHelper.Sh("exec grep -E '^Sig(Ign|Blk)' /proc/self/status");

        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l.Split(':')[0], l => Convert.ToUInt64(l.Split('\t')[1], 16));
        Assert.Equal(0UL, fields["SigBlk"]);
        // Bits 31 and 32 are signals 32 and 33, glibc-internal: posix_spawn leaves them ignored.
        Assert.Equal(0UL, fields["SigIgn"] & ~0x1_8000_0000UL);
    }

    [Fact]
    public void Setsid_makes_the_child_a_session_leader()
    {
        // Field 6 of /proc/<pid>/stat is the session id; a session leader's equals its pid.
        const string script = "set -- $(cat /proc/$$/stat); [ \"$6\" = \"$$\" ] && echo leader || echo member";

        Assert.Equal("leader\n", SpawnHelper.Sh(script, setsid: true).Stdout);
        Assert.Equal("member\n", SpawnHelper.Sh(script, setsid: false).Stdout);
    }

    [Fact]
    public void Missing_executable_throws_with_errno_text()
    {
        var e = Assert.Throws<PosixException>(() => PosixSpawn.Spawn("/nonexistent/hook", ["hook"], [], []));

        Assert.Equal("spawn /nonexistent/hook: no such file or directory", e.Message);
        Assert.Equal(2, e.Errno);
    }

    [Fact]
    public void Same_child_fd_twice_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => PosixSpawn.Spawn("/bin/true", ["true"], [], [(0, 1), (2, 1)]));
    }

    [Fact]
    public void Kill_stops_a_running_child()
    {
        int pid = PosixSpawn.Spawn("/bin/sleep", ["sleep", "100"], [], []);

        Assert.True(PosixSpawn.Kill(pid, PosixSpawn.SIGKILL));
        PosixSpawn.WaitPid(pid, out int status);
        Assert.Equal(PosixSpawn.SIGKILL, WaitStatus.TermSignal(status));
    }

    [Fact]
    public void TryWaitPid_does_not_reap_a_running_child()
    {
        int pid = PosixSpawn.Spawn("/bin/sleep", ["sleep", "100"], [], []);
        try
        {
            Assert.False(PosixSpawn.TryWaitPid(pid, out _));
        }
        finally
        {
            PosixSpawn.Kill(pid, PosixSpawn.SIGKILL);
            PosixSpawn.WaitPid(pid, out _);
        }
    }
}
