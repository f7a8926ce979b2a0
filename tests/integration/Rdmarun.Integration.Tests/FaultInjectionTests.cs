using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// rdmarun SIGKILLed at each stage of create, start, exec and delete (fault points of the
/// --faults build), then `delete --force` by the production binary: nothing may be left.
/// Exit status 137 proves the named point was reached (a renamed or lost point fails the test).
/// </summary>
public class FaultInjectionTests
{
    private const string Marker = "fault-marker-7f3a";
    private const string ExecMarker = "fault-exec-marker-91c2";

    public static TheoryData<string> CreatePoints => new()
    {
        "create.after-claim", "create.after-fifo", "create.after-spawn", "create.after-cgroup", "create.after-init-pid",
        "create.after-launch", "create.after-hooks", "create.after-ready", "create.after-save",
    };

    public static TheoryData<string> StartPoints => new() { "start.before-release", "start.after-release" };

    public static TheoryData<string> ExecPoints => new()
    {
        "exec.after-spawn", "exec.after-cgroup", "exec.after-init-pid", "exec.after-launch", "exec.after-exec",
    };

    public static TheoryData<string> DeletePoints => new() { "delete.after-lock", "delete.after-kill", "delete.after-cgroup" };

    /// <summary>A long-running container with a prestart hook (so create has its hook stage).</summary>
    private static Bundle LongRunning()
    {
        var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/true" }) };
        b.Save();
        return b;
    }

    private static void AssertKilledAt(string point, Rdmarun.Result r) =>
        Assert.True(r.ExitCode == 137, $"rdmarun did not die at fault point {point}: {r}");

    private static void AssertCleanAfterForcedDelete(Bundle b, string id)
    {
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, $"delete --force after the crash: {d}");
        Assert.Empty(LeakCheck.Find(b, id, Marker, ExecMarker));
        var s = b.Rt("state", id);
        Assert.Equal(1, s.ExitCode);
        Assert.Contains($"container {id} does not exist", s.Stderr);
    }

    [FaultTheory]
    [MemberData(nameof(CreatePoints))]
    public void Create_killed_at_each_stage_is_cleaned_up_by_delete_force(string point)
    {
        using var b = LongRunning();
        var id = b.NewId("fc");
        AssertKilledAt(point, FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At(point), "create", id));
        // Half-created: either clearly absent or readable, never a corrupt-state error.
        var s = b.Rt("state", id);
        Assert.True(s.ExitCode == 0 || s.Stderr.Contains($"container {id} does not exist"), s.ToString());
        AssertCleanAfterForcedDelete(b, id);
    }

    [FaultTheory]
    [MemberData(nameof(StartPoints))]
    public void Start_killed_at_each_stage_is_cleaned_up_by_delete_force(string point)
    {
        using var b = LongRunning();
        var id = b.NewId("fs");
        Assert.Equal(0, b.Rt("create", id).ExitCode);
        AssertKilledAt(point, FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At(point), "start", id));
        AssertCleanAfterForcedDelete(b, id);
    }

    [FaultTheory]
    [MemberData(nameof(ExecPoints))]
    public void Exec_killed_at_each_stage_is_cleaned_up_by_delete_force(string point)
    {
        using var b = LongRunning();
        var id = b.NewId("fe");
        Assert.Equal(0, b.Rt("create", id).ExitCode);
        Assert.Equal(0, b.Rt("start", id).ExitCode);
        AssertKilledAt(point, FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At(point), "exec", id, "sh", "-c", $"sleep 500; echo {ExecMarker}"));
        // The container itself survives a crashed exec.
        var st = JsonNode.Parse(b.Rt("state", id).Stdout)!["status"]!.GetValue<string>();
        Assert.Equal("running", st);
        AssertCleanAfterForcedDelete(b, id);
    }

    [FaultTheory]
    [MemberData(nameof(DeletePoints))]
    public void Delete_killed_at_each_stage_is_finished_by_a_second_delete_force(string point)
    {
        using var b = LongRunning();
        var id = b.NewId("fd");
        Assert.Equal(0, b.Rt("create", id).ExitCode);
        Assert.Equal(0, b.Rt("start", id).ExitCode);
        AssertKilledAt(point, FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At(point), "delete", "--force", id));
        AssertCleanAfterForcedDelete(b, id);
    }

    [FaultFact]
    public void A_fault_point_that_is_not_named_does_not_fire()
    {
        using var b = LongRunning();
        var id = b.NewId("fn");
        var r = FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At("no.such-point"), "create", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertCleanAfterForcedDelete(b, id);
    }

    [Fact]
    public void The_production_binary_ignores_the_fault_variable()
    {
        using var b = LongRunning();
        var id = b.NewId("fp");
        var r = b.Runtime.RunWith(b.Dir, FaultBinary.At("create.after-claim"), "create", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertCleanAfterForcedDelete(b, id);
    }
}
