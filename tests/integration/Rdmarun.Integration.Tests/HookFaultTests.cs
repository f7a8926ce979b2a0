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
        // The hook kills its parent (rdmarun create) and goes on running for a while. The hook itself
        // is not the runtime's to kill (it is neither in the container's cgroup nor recorded): it
        // ends on its own; what create made (state dir, cgroup, init) must be gone after delete --force.
        using var b = WithPrestart($"kill -9 $PPID; sleep 3; : {Marker}");
        var id = b.NewId("hr");
        var r = b.Rt("create", id);
        Assert.True(r.ExitCode == 137, $"rdmarun was not killed by its hook: {r}");
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Empty(LeakCheck.Find(b, id, Marker));
    }
}
