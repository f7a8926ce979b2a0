using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>The six hook stages: order, the state on stdin, and what a failing hook does.</summary>
static class HookCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("hooks-order", "create runs prestart, createRuntime, createContainer; start adds startContainer, poststart; delete adds poststop", Order),
        new("hooks-state-stdin", "every hook gets the state json (id, bundle, status, pid) on stdin", StateOnStdin),
        new("hooks-prestart-fails", "a failing prestart hook makes create fail and leaves no container", PrestartFails),
        new("hooks-poststop-fails", "a failing poststop hook only warns: delete succeeds and the container is gone", PoststopFails),
        new("hooks-poststop-continue", "poststop hooks after a failing one still run", PoststopContinue),
    ];

    static readonly string[] Stages = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

    /// <summary>
    /// A hook that appends its stage to hooks.log and saves stdin. createContainer and startContainer may run
    /// inside the container's mount namespace (after pivot_root), where the host path does not exist and the
    /// rootfs is "/", so the script picks whichever directory it can see.
    /// </summary>
    static void AddRecordingHook(Bundle b, string stage)
    {
        string dir = ProcessRunner.Quote(b.Rootfs);
        string script = $"if [ -d {dir} ]; then d={dir}; else d=/; fi; echo {stage} >> $d/hooks.log; cat > $d/state-{stage}.json";
        b.AddHook(stage, "/bin/sh", ["sh", "-c", script]);
    }

    /// <summary>Takes a container with all six recording hooks through create, start, exit and delete.</summary>
    static async Task<(Bundle Bundle, string Id, string AfterCreate, string AfterStart, string AfterDelete)> FullLifecycleAsync(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "wait-file=/go");
        foreach (var stage in Stages)
            AddRecordingHook(b, stage);
        string id = c.NewId();
        string log = b.HostPath("/hooks.log");

        Check.Succeeded(await c.CreateAsync(b, id), "create");
        string afterCreate = ReadLog(log);
        Check.Succeeded(await c.InvokeAsync("start", id), "start");
        string afterStart = ReadLog(log);
        File.WriteAllText(b.HostPath("/go"), "");
        await c.WaitForStatusAsync(id, "stopped");
        Check.Succeeded(await c.InvokeAsync("delete", id), "delete");
        return (b, id, afterCreate, afterStart, ReadLog(log));
    }

    static async Task Order(CaseContext c)
    {
        var (_, _, afterCreate, afterStart, afterDelete) = await FullLifecycleAsync(c);
        Check.Equal("prestart,createRuntime,createContainer", afterCreate, "hooks run by create");
        Check.Equal("prestart,createRuntime,createContainer,startContainer,poststart", afterStart, "hooks run by create and start");
        Check.Equal(string.Join(',', Stages), afterDelete, "hooks after delete");
    }

    static async Task StateOnStdin(CaseContext c)
    {
        var (b, id, _, _, _) = await FullLifecycleAsync(c);
        foreach (var stage in Stages)
        {
            string path = b.HostPath($"/state-{stage}.json");
            JsonObject state;
            try { state = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CaseFailedException($"{stage} hook stdin is not a json object"); }
            catch (System.Text.Json.JsonException e) { throw new CaseFailedException($"{stage} hook stdin is not json: {e.Message}"); }
            Check.Equal(id, state["id"]?.GetValue<string>(), $"{stage} state id");
            Check.Equal(b.Dir, state["bundle"]?.GetValue<string>(), $"{stage} state bundle");
            Check.True(state["status"] is not null, $"{stage} state has no status: {state.ToJsonString()}");
            Check.True(state["ociVersion"] is not null, $"{stage} state has no ociVersion: {state.ToJsonString()}");
            // The spec requires pid only while the status is created or running ("creating" may lack it).
            string? status = state["status"]?.GetValue<string>();
            if (status is "created" or "running")
                Check.True(state["pid"]?.GetValue<int>() > 0, $"{stage} state ({status}) has no pid: {state.ToJsonString()}");
            if (stage is "prestart" or "createRuntime" or "poststart")
                Check.True(state["pid"]?.GetValue<int>() > 0, $"{stage} runs after the container process exists but its state has no pid: {state.ToJsonString()}");
        }
    }

    static string ReadLog(string path) =>
        File.Exists(path) ? string.Join(',', File.ReadAllLines(path).Where(l => l.Length > 0)) : "";

    static async Task PrestartFails(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        string marker = Path.Combine(c.WorkDir, "prestart-ran");
        b.AddHook("prestart", "/bin/sh", ["sh", "-c", $"touch {ProcessRunner.Quote(marker)}; exit 7"]);
        string id = c.NewId();
        Check.Failed(await c.CreateAsync(b, id), "create with a failing prestart hook");
        Check.True(File.Exists(marker), "create failed without running the prestart hook");
        var state = await c.StateAsync(id);
        Check.True(state is null, $"state still reports the container after the failed create: {state?.ToJsonString()}");
    }

    /// <summary>A stopped container whose first poststop hook fails and whose second records itself; then delete.</summary>
    static async Task<(Bundle Bundle, string Id, ProcResult Delete)> DeleteWithFailingPoststopAsync(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "exit=0");
        b.AddHook("poststop", "/bin/sh", ["sh", "-c", "exit 1"]);
        AddRecordingHook(b, "poststop");
        string id = c.NewId();
        await c.StartedAsync(b, id);
        await c.WaitForStatusAsync(id, "stopped");
        return (b, id, await c.InvokeAsync("delete", id));
    }

    static async Task PoststopFails(CaseContext c)
    {
        var (_, id, delete) = await DeleteWithFailingPoststopAsync(c);
        Check.Succeeded(delete, "delete with a failing poststop hook");
        Check.True(await c.StateAsync(id) is null, "the container still exists after delete");
    }

    static async Task PoststopContinue(CaseContext c)
    {
        var (b, _, _) = await DeleteWithFailingPoststopAsync(c);
        Check.Equal("poststop", ReadLog(b.HostPath("/hooks.log")), "the poststop hook after the failing one");
    }
}
