using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>The state each hook phase reads on its stdin (runtime-spec config.md "hooks", state.md).</summary>
public class HookStateTests
{
    private static readonly string[] Phases = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

    [Fact]
    public void Each_hook_phase_gets_the_status_the_container_has_at_that_step()
    {
        using var b = new Bundle("true");
        var outDir = Path.Combine(b.Dir, "hook-out");
        Directory.CreateDirectory(outDir);
        var hooks = new JsonObject();
        // Host paths: createContainer runs in the container's mount namespace before pivot_root, where
        // they still resolve; startContainer runs after it, so it writes inside the rootfs.
        foreach (var phase in Phases)
        {
            var target = phase == "startContainer" ? "/startContainer.json" : Path.Combine(outDir, phase + ".json");
            hooks[phase] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", $"cat > {target}") });
        }
        b.Config["hooks"] = hooks;
        b.Config["root"]!["readonly"] = false;
        b.Save();
        var id = b.NewId();
        var r = b.Rt("run", id); // a foreground run deletes the container: poststop included
        Assert.True(r.ExitCode == 0, r.ToString());

        var status = Phases.ToDictionary(p => p, p =>
        {
            var file = p == "startContainer" ? Path.Combine(b.Rootfs, "startContainer.json") : Path.Combine(outDir, p + ".json");
            var state = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            Assert.Equal(id, state["id"]!.GetValue<string>());
            Assert.Equal(b.Dir, state["bundle"]!.GetValue<string>());
            if (p != "poststop") Assert.True(state["pid"]!.GetValue<int>() > 0, $"{p}: {state}");
            return state["status"]!.GetValue<string>();
        });
        // prestart, createRuntime and createContainer run after the environment exists (lifecycle steps 3-5,
        // state.md's "created"), startContainer and poststart once start was called, poststop after it stopped.
        Assert.Equal(new Dictionary<string, string>
        {
            ["prestart"] = "created", ["createRuntime"] = "created", ["createContainer"] = "created",
            ["startContainer"] = "running", ["poststart"] = "running", ["poststop"] = "stopped",
        }, status);
    }
}
