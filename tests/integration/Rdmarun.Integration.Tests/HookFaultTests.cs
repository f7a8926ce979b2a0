using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>A prestart hook SIGKILLed mid-run, and rdmarun SIGKILLed while its hook runs.</summary>
public class HookFaultTests
{
    private const string Marker = "hook-fault-marker-5d1e";

    private static Bundle WithPrestart(string script)
    {
        var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", script) }) };
        b.Save();
        return b;
    }

    [Fact]
    public void A_prestart_hook_killed_by_sigkill_fails_create_saying_so_and_leaves_nothing()
    {
        using var b = WithPrestart($"kill -9 $$; : {Marker}");
        var id = b.NewId("hk");
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("prestart", r.Stderr);
        Assert.Contains("signal 9", r.Stderr);
        Assert.Empty(LeakCheck.Find(b, id, Marker));
    }

    [Fact]
    public void Rdmarun_killed_while_its_prestart_hook_runs_is_cleaned_up_by_delete_force()
    {
        // The hook kills its parent (rdmarun create) at once, maybe before rdmarun recorded it (the
        // in-hook fault cases below cover the recorded hook); it ends on its own after 3 s. What create
        // made (state dir, cgroup, init) must be gone after delete --force.
        using var b = WithPrestart($"kill -9 $PPID; sleep 3; : {Marker}");
        var id = b.NewId("hr");
        var r = b.Rt("create", id);
        Assert.True(r.ExitCode == 137, $"rdmarun was not killed by its hook: {r}");
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Empty(LeakCheck.Find(b, id, Marker));
    }

    // The hook's own background child: in the hook's process group, not in the container's cgroup.
    private const string ChildMarker = "sleep 98765";

    public static TheoryData<string, string> HookPhases => new()
    {
        { "prestart", "create.in-hook" }, { "poststart", "start.in-hook" }, { "poststop", "delete.in-hook" },
    };

    [FaultTheory]
    [MemberData(nameof(HookPhases))]
    public void Rdmarun_killed_mid_hook_leaves_no_hook_process_after_delete_force(string phase, string point)
    {
        // The first run of the hook starts a background child and waits; rdmarun (the fault build) is
        // SIGKILLed while it runs. Only the hook's record in creating.json / state.json can find it then.
        // A poststop hook runs again in the second delete: that run returns at once.
        var b = new Bundle("sh", "-c", $"sleep 600; echo {Marker}");
        using var _ = b;
        var once = Path.Combine(b.Dir, "hook-ran");
        var script = $"[ -e {once} ] && exit 0; touch {once}; {ChildMarker}1 & {ChildMarker}2; : {Marker}";
        b.Config["hooks"] = new JsonObject { [phase] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", script) }) };
        b.Save();
        var id = b.NewId("hm");
        var faults = FaultBinary.For(b);
        Rdmarun.Result killed = phase switch
        {
            "prestart" => faults.RunWith(b.Dir, FaultBinary.At(point), "create", id),
            "poststart" => Then(b.Rt("create", id), () => faults.RunWith(b.Dir, FaultBinary.At(point), "start", id)),
            _ => Then(b.Rt("run", "--detach", id), () => faults.RunWith(b.Dir, FaultBinary.At(point), "delete", "--force", id)),
        };
        Assert.True(killed.ExitCode == 137, $"rdmarun did not die at {point}: {killed}");
        // rdmarun died as soon as it had recorded the hook: the hook goes on and starts its child.
        Assert.True(Eventually(() => LeakCheck.FindOnce(b.Dir, b.Runtime.Root, [], [ChildMarker + "1"]).Count > 0),
            "the hook's background child never ran");

        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Empty(LeakCheck.Find(b, id, Marker, ChildMarker));
    }

    private static bool Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 100; i++, Thread.Sleep(50)) if (condition()) return true;
        return false;
    }

    private static Rdmarun.Result Then(Rdmarun.Result first, Func<Rdmarun.Result> next)
    {
        Assert.True(first.ExitCode == 0, first.ToString());
        return next();
    }
}
