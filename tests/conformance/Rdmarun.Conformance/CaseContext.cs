using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>
/// Everything one case may touch: its runtime, a private work dir and the container ids it created.
/// Disposal force-deletes every container and removes the work dir, whatever the case's outcome.
/// </summary>
sealed class CaseContext(RuntimeUnderTest runtime, Assets assets, string caseName, string workDir, bool keep) : IAsyncDisposable
{
    readonly List<string> _ids = [];
    int _bundles;

    public RuntimeUnderTest Runtime { get; } = runtime;
    public Assets Assets { get; } = assets;
    public string WorkDir { get; } = workDir;

    public static TimeSpan WaitLimit => TimeScale.Of(TimeSpan.FromSeconds(15));

    /// <summary>A fresh container id, remembered for cleanup.</summary>
    public string NewId()
    {
        string id = $"conf-{caseName}-{Guid.NewGuid().ToString("N")[..8]}";
        _ids.Add(id);
        return id;
    }

    /// <summary>A bundle whose process is /validator with <paramref name="validatorArgs"/>.</summary>
    public Task<Bundle> NewBundleAsync(params string[] validatorArgs) =>
        Bundle.CreateAsync(Path.Combine(WorkDir, $"bundle-{++_bundles}"), Assets, ["/validator", .. validatorArgs], Runtime.User);

    /// <summary>Rootless: skip with the reason when the user's cgroup for <paramref name="controller"/> is not delegated to it.</summary>
    public async Task NeedCgroupAsync(string controller)
    {
        if (Runtime.User is not null && await Runtime.User.WhyNoDelegatedCgroupAsync(controller, WorkDir) is { } why)
            throw new CaseSkippedException(why);
    }

    public Task<ProcResult> InvokeAsync(params string[] args) => Runtime.InvokeAsync(WorkDir, args);

    public Task<ProcResult> InvokeAsync(IReadOnlyDictionary<int, string> extraFds, params string[] args) =>
        Runtime.InvokeAsync(WorkDir, args, extraFds);

    /// <summary>`run` in the foreground; the container's stdout is the result's stdout.</summary>
    public Task<ProcResult> RunAsync(Bundle bundle, string id, params string[] extra)
    {
        bundle.Save();
        return InvokeAsync(["run", .. extra, "--bundle", bundle.Dir, id]);
    }

    /// <summary>Runs the validator to completion and parses what it printed.</summary>
    public async Task<Facts> RunValidatorAsync(Bundle bundle)
    {
        var r = await RunAsync(bundle, NewId());
        Check.Succeeded(r, "running the validator");
        var facts = Facts.Parse(r.Stdout);
        if (!facts.Has("done"))
            throw new CaseFailedException($"validator did not finish; output: {Facts.Shorten(r.Stdout)} stderr: {r.Stderr.Trim()}");
        return facts;
    }

    public async Task<ProcResult> CreateAsync(Bundle bundle, string id, params string[] extra)
    {
        bundle.Save();
        return await InvokeAsync(["create", .. extra, "--bundle", bundle.Dir, id]);
    }

    /// <summary>create + start, failing the case if either fails; returns the create result whose stdout the container writes.</summary>
    public async Task<ProcResult> StartedAsync(Bundle bundle, string id)
    {
        var created = await CreateAsync(bundle, id);
        Check.Succeeded(created, $"create {id}");
        Check.Succeeded(await InvokeAsync("start", id), $"start {id}");
        return created;
    }

    public Task<JsonObject?> StateAsync(string id) => Runtime.StateAsync(WorkDir, id);

    public async Task<JsonObject> RequireStateAsync(string id) =>
        await StateAsync(id) ?? throw new CaseFailedException($"state {id} failed although the container should exist");

    public async Task<JsonObject> WaitForStatusAsync(string id, string status)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var state = await StateAsync(id);
            last = state?["status"]?.GetValue<string>();
            if (last == status)
                return state!;
            await Task.Delay(50);
        }
        throw new CaseFailedException($"container {id} never reached status {status} (last: {last ?? "no state"})");
    }

    /// <summary>Waits until a detached container has printed output matching <paramref name="until"/>.</summary>
    public async Task<Facts> WaitForOutputAsync(ProcResult owner, Func<Facts, bool> until, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        Facts facts = Facts.Parse(owner.Stdout);
        while (!until(facts))
        {
            if (DateTime.UtcNow > deadline)
                throw new CaseFailedException($"timed out waiting for {what}; output: {Facts.Shorten(facts.Raw)}");
            await Task.Delay(50);
            facts = Facts.Parse(owner.Stdout);
        }
        return facts;
    }

    public static int Pid(JsonObject state) =>
        state["pid"]?.GetValue<int>() is int pid and > 0 ? pid : throw new CaseFailedException($"state has no pid: {state.ToJsonString()}");

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _ids)
        {
            try { await InvokeAsync("delete", "--force", id); }
            catch (Exception) { /* best effort: the case already has its outcome */ }
        }
        if (keep)
            return;
        try { Directory.Delete(WorkDir, recursive: true); }
        catch (IOException e) { Console.Error.WriteLine($"warning: removing {WorkDir} failed: {e.Message}"); }
        catch (UnauthorizedAccessException e) { Console.Error.WriteLine($"warning: removing {WorkDir} failed: {e.Message}"); }
    }
}
