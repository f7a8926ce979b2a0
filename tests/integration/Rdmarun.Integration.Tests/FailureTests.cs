using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>Bad input gets a clear error and leaves nothing behind.</summary>
public class FailureTests
{
    private static void AssertNothingLeft(Bundle b, string id, int mountsBefore)
    {
        Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, id)), "state dir left behind");
        Assert.Empty(HostTraces.CgroupDirs(id));
        Assert.Equal(mountsBefore, HostTraces.MountCount());
    }

    [Fact]
    public void A_missing_executable_fails_create_with_runc_wording_and_leaves_nothing()
    {
        using var b = new Bundle("no-such-program");
        var id = b.NewId();
        int mounts = HostTraces.MountCount();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("exec: \"no-such-program\": executable file not found in $PATH", r.Stderr);
        AssertNothingLeft(b, id, mounts);
    }

    [Fact]
    public void A_missing_rootfs_is_named_in_the_error()
    {
        using var b = new Bundle("true");
        b.Config["root"]!["path"] = "nowhere";
        b.Save();
        var id = b.NewId();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nowhere", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, id)));
    }

    [Fact]
    public void Invalid_json_reports_the_json_path()
    {
        using var b = new Bundle("true");
        b.Process["user"]!["uid"] = "abc";
        b.Save();
        var r = b.Rt("create", b.NewId());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("$.process.user.uid", r.Stderr);
    }

    [Fact]
    public void A_failing_mount_leaves_nothing_behind()
    {
        using var b = new Bundle("true");
        b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/mnt/x", ["type"] = "bind", ["source"] = "/does/not/exist", ["options"] = new JsonArray("rbind") });
        b.Save();
        var id = b.NewId();
        int mounts = HostTraces.MountCount();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/does/not/exist", r.Stderr);
        AssertNothingLeft(b, id, mounts);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void Ids_that_could_leave_the_state_root_are_refused(string id)
    {
        using var b = new Bundle("true");
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("invalid container id", r.Stderr);
    }

    [Fact]
    public void Errors_go_to_the_log_file_as_json_lines_with_level_msg_and_time()
    {
        using var b = new Bundle("true");
        var log = Path.Combine(b.Dir, "log.json");
        var r = b.Rt("--log", log, "--log-format", "json", "state", "nosuch");
        Assert.Equal(1, r.ExitCode);
        var entry = JsonNode.Parse(File.ReadAllLines(log).Last())!.AsObject();
        Assert.Equal("error", entry["level"]!.GetValue<string>());
        Assert.Equal("container nosuch does not exist", entry["msg"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(entry["time"]!.GetValue<string>(), out _));
    }

    [Theory]
    [InlineData("state-root")]
    [InlineData("no-such-root")]
    public void State_of_a_missing_container_reads_the_same_from_C_and_from_dotnet(string root)
    {
        // `--root R state ID` without logging flags is answered before .NET starts when R/ID does not
        // exist (runtime/native/state_fast.c: Slurm queries after every step); --debug sends the same
        // call to .NET. A user must not be able to tell them apart: runc's exit 1, empty stdout.
        using var b = new Bundle("true");
        var rt = new Rdmarun(Path.Combine(b.Dir, root));
        if (root == "state-root") Directory.CreateDirectory(rt.Root);
        var fast = rt.Run(b.Dir, "state", "nosuch");
        var full = rt.Run(b.Dir, "--debug", "state", "nosuch");
        Assert.Equal(1, fast.ExitCode);
        Assert.Equal(1, full.ExitCode);
        Assert.Equal("", fast.Stdout);
        Assert.Equal("ERRO[0000] container nosuch does not exist\n", fast.Stderr);
        Assert.Equal(full.Stderr, fast.Stderr);
    }

    [Fact]
    public void A_failing_prestart_hook_fails_create_and_leaves_nothing()
    {
        using var b = new Bundle("true");
        b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "echo hook-broke >&2; exit 7") }) };
        b.Save();
        var id = b.NewId();
        int mounts = HostTraces.MountCount();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("prestart", r.Stderr);
        AssertNothingLeft(b, id, mounts);
    }
}
