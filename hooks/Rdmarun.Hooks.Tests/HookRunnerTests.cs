using System.Text;
using Rdmarun.OciSpec;

namespace Rdmarun.Hooks.Tests;

public sealed class HookRunnerTests : IDisposable
{
    private readonly HookScripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    private static readonly byte[] State = Encoding.UTF8.GetBytes(
        """{"ociVersion":"1.2.0","id":"c1","status":"created","pid":42,"bundle":"/b"}""");

    [Fact]
    public void Hook_receives_the_state_json_on_stdin()
    {
        string hook = _scripts.Script("h", $"cat > {_scripts.PathOf("stdin")}");

        HookRunner.Run(new Hook { Path = hook }, State, "createRuntime");

        Assert.Equal(State, File.ReadAllBytes(_scripts.PathOf("stdin")));
    }

    [Fact]
    public void State_larger_than_a_pipe_buffer_arrives_whole_while_the_hook_also_writes()
    {
        // 1 MiB in, 1 MiB out: neither side may block the other.
        byte[] big = Encoding.UTF8.GetBytes("{\"annotations\":{\"k\":\"" + new string('x', 1 << 20) + "\"}}");
        string hook = _scripts.Script("h", $"head -c 1048576 /dev/zero | tr '\\0' y; cat > {_scripts.PathOf("stdin")}");

        var result = HookRunner.Run(new Hook { Path = hook, Timeout = 60 }, big, "prestart");

        Assert.Equal(big, File.ReadAllBytes(_scripts.PathOf("stdin")));
        Assert.Equal(1 << 20, result.Stdout.Length);
    }

    [Fact]
    public void Hook_that_ignores_stdin_succeeds()
    {
        byte[] big = new byte[1 << 20];
        big.AsSpan().Fill((byte)' ');
        string hook = _scripts.Script("h", "exit 0");

        var result = HookRunner.Run(new Hook { Path = hook, Timeout = 60 }, big, "poststop");

        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Args_are_argv_including_argv0()
    {
        // /bin/sh itself as the hook, so argv[0] is visible in /proc/<pid>/cmdline.
        var hook = new Hook
        {
            Path = "/bin/sh",
            Args = ["my-hook", "-c", "cat /proc/$$/cmdline", "x", "two words"],
        };

        var result = HookRunner.Run(hook, State, "createContainer");

        Assert.Equal(["my-hook", "-c", "cat /proc/$$/cmdline", "x", "two words"],
            result.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Missing_args_means_argv_is_the_path()
    {
        string hook = _scripts.Script("h", "printf '%s|%s' \"$0\" \"$#\"");

        var result = HookRunner.Run(new Hook { Path = hook }, State, "prestart");

        Assert.Equal($"{hook}|0", result.Stdout);
    }

    [Fact]
    public void Env_is_exactly_the_hooks_env()
    {
        var hook = new Hook { Path = "/bin/sh", Args = ["sh", "-c", "cat /proc/$$/environ"], Env = ["A=1", "B=two words"] };

        var result = HookRunner.Run(hook, State, "poststart");

        Assert.Equal(["A=1", "B=two words"], result.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Empty_env_list_gives_an_empty_environment()
    {
        var hook = new Hook { Path = "/bin/sh", Args = ["sh", "-c", "cat /proc/$$/environ"], Env = [] };

        Assert.Equal("", HookRunner.Run(hook, State, "poststart").Stdout);
    }

    [Fact]
    public void Absent_env_passes_the_runtimes_environment_on_like_runc()
    {
        Environment.SetEnvironmentVariable("RDMARUN_HOOK_TEST", "inherited");
        try
        {
            var hook = new Hook { Path = "/bin/sh", Args = ["sh", "-c", "cat /proc/$$/environ"] };

            var env = HookRunner.Run(hook, State, "poststart").Stdout.Split('\0');

            Assert.Contains("RDMARUN_HOOK_TEST=inherited", env);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RDMARUN_HOOK_TEST", null);
        }
    }

    [Fact]
    public void Stdout_and_stderr_are_captured_separately()
    {
        string hook = _scripts.Script("h", "echo out; echo err >&2");

        var result = HookRunner.Run(new Hook { Path = hook }, State, "prestart");

        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public void Non_zero_exit_names_phase_index_path_status_and_stderr()
    {
        string hook = _scripts.Script("h", "echo 'no network' >&2; exit 1");

        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = hook }, State, "prestart"));

        Assert.Equal($"error running prestart hook #0 ({hook}): exit status 1, stderr: no network", e.Message);
        Assert.Equal("prestart", e.Phase);
        Assert.Equal(0, e.Index);
        Assert.Equal(hook, e.Path);
        Assert.False(e.TimedOut);
        Assert.Equal(1, WaitStatus.ExitStatus(e.WaitStatus!.Value));
    }

    [Fact]
    public void Failure_message_includes_stdout_when_there_is_some()
    {
        string hook = _scripts.Script("h", "echo partial; echo broke >&2; exit 7");

        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = hook }, State, "createRuntime", 2));

        Assert.Equal($"error running createRuntime hook #2 ({hook}): exit status 7, stdout: partial, stderr: broke", e.Message);
    }

    [Fact]
    public void Hook_killed_by_a_signal_is_a_failure()
    {
        string hook = _scripts.Script("h", "kill -9 $$");

        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = hook }, State, "poststop"));

        Assert.Equal($"error running poststop hook #0 ({hook}): killed by signal 9 (SIGKILL)", e.Message);
    }

    [Fact]
    public void Missing_hook_binary_is_reported_with_errno_text()
    {
        var e = Assert.Throws<HookException>(() =>
            HookRunner.Run(new Hook { Path = "/nonexistent/hook" }, State, "createRuntime"));

        Assert.Equal("error running createRuntime hook #0 (/nonexistent/hook): spawn /nonexistent/hook: no such file or directory", e.Message);
        Assert.Null(e.WaitStatus);
    }

    [Fact]
    public void Non_executable_hook_is_reported_with_errno_text()
    {
        // No execute bit at all: exec fails with EACCES even for root.
        string path = _scripts.PathOf("plain");
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = path }, State, "prestart"));

        Assert.Equal($"error running prestart hook #0 ({path}): spawn {path}: permission denied", e.Message);
    }

    [Fact]
    public void Timeout_kills_the_hook_and_reports_it()
    {
        string hook = _scripts.Script("h", $"echo $$ > {_scripts.PathOf("pid")}; echo started; exec sleep 600");

        var e = Assert.Throws<HookException>(() =>
            HookRunner.Run(new Hook { Path = hook, Timeout = 1 }, State, "prestart"));

        Assert.Equal($"hook: prestart hook {hook} timed out after 1s", e.Message);
        Assert.True(e.TimedOut);
        Assert.Equal(PosixSpawn.SIGKILL, WaitStatus.TermSignal(e.WaitStatus!.Value));
        Assert.Equal("started\n", e.Stdout);
        int pid = int.Parse(_scripts.Read("pid").Trim());
        Assert.False(Directory.Exists($"/proc/{pid}"), "the hook is killed and reaped");
    }

    [Fact]
    public void Timeout_applies_to_a_hook_that_closed_its_output()
    {
        // No pipe activity at all: only the process itself can tell us it is still running.
        string hook = _scripts.Script("h", "exec >&- 2>&- <&-; exec sleep 600");

        var e = Assert.Throws<HookException>(() =>
            HookRunner.Run(new Hook { Path = hook, Timeout = 1 }, State, "createRuntime"));

        Assert.True(e.TimedOut);
    }

    [Fact]
    public void Background_child_holding_stdout_does_not_keep_the_hook_running()
    {
        // The hook exits at once; its child keeps the stdout pipe open for 60s. Waiting for end of
        // file would run into the 20s timeout and fail this test.
        string hook = _scripts.Script("h", "sleep 60 & echo done");

        var result = HookRunner.Run(new Hook { Path = hook, Timeout = 20 }, State, "poststart");

        Assert.Equal("done\n", result.Stdout);
    }

    [Fact]
    public void Non_positive_timeout_is_rejected()
    {
        string hook = _scripts.Script("h", "exit 0");

        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = hook, Timeout = 0 }, State, "prestart"));

        Assert.Equal($"error running prestart hook #0 ({hook}): timeout must be positive, got 0", e.Message);
    }

    [Fact]
    public void Empty_path_is_rejected()
    {
        var e = Assert.Throws<HookException>(() => HookRunner.Run(new Hook { Path = "" }, State, "createRuntime", 1));

        Assert.Equal("error running createRuntime hook #1 (): hook path is empty", e.Message);
    }

    [Fact]
    public void RunAll_runs_hooks_in_listed_order()
    {
        string log = _scripts.PathOf("order");
        var hooks = new[] { "first", "second", "third" }
            .Select(n => new Hook { Path = _scripts.Script(n, $"echo {n} >> {log}") }).ToList();

        var warnings = HookRunner.RunAll(hooks, State, "createContainer", continueOnError: false);

        Assert.Empty(warnings);
        Assert.Equal("first\nsecond\nthird\n", _scripts.Read("order"));
    }

    [Fact]
    public void RunAll_stops_at_the_first_failure_when_errors_are_fatal()
    {
        string log = _scripts.PathOf("order");
        var hooks = new List<Hook>
        {
            new() { Path = _scripts.Script("a", $"echo a >> {log}") },
            new() { Path = _scripts.Script("b", $"echo b >> {log}; echo bad >&2; exit 2") },
            new() { Path = _scripts.Script("c", $"echo c >> {log}") },
        };

        var e = Assert.Throws<HookException>(() => HookRunner.RunAll(hooks, State, "prestart", continueOnError: false));

        Assert.Equal($"error running prestart hook #1 ({hooks[1].Path}): exit status 2, stderr: bad", e.Message);
        Assert.Equal("a\nb\n", _scripts.Read("order"));
    }

    [Fact]
    public void RunAll_returns_failures_as_warnings_and_runs_the_rest_when_errors_are_not_fatal()
    {
        string log = _scripts.PathOf("order");
        var hooks = new List<Hook>
        {
            new() { Path = _scripts.Script("a", $"echo a >> {log}; exit 3") },
            new() { Path = _scripts.Script("b", $"echo b >> {log}") },
            new() { Path = "/nonexistent/c" },
        };

        var warnings = HookRunner.RunAll(hooks, State, "poststop", continueOnError: true);

        Assert.Equal("a\nb\n", _scripts.Read("order"));
        Assert.Equal([0, 2], warnings.Select(w => w.Index));
        Assert.Equal($"error running poststop hook #0 ({hooks[0].Path}): exit status 3", warnings[0].Message);
    }

    [Fact]
    public void RunAll_with_a_state_object_sends_its_json()
    {
        string hook = _scripts.Script("h", $"cat > {_scripts.PathOf("stdin")}");
        var state = new State { Version = "1.2.0", ID = "abc", Status = "running", Pid = 7, Bundle = "/bundle" };

        HookRunner.RunAll([new Hook { Path = hook }], state, "poststart", continueOnError: false);

        var received = SpecJson.ParseState(File.ReadAllBytes(_scripts.PathOf("stdin")));
        Assert.Equal("abc", received.ID);
        Assert.Equal("running", received.Status);
        Assert.Equal(7, received.Pid);
    }

    [Theory]
    [InlineData("poststart", true)]
    [InlineData("poststop", true)]
    [InlineData("prestart", false)]
    [InlineData("createRuntime", false)]
    [InlineData("createContainer", false)]
    [InlineData("startContainer", false)]
    public void Only_poststart_and_poststop_failures_are_warnings(string phase, bool warning)
    {
        Assert.Equal(warning, HookRunner.FailuresAreWarnings(phase));
    }
}
