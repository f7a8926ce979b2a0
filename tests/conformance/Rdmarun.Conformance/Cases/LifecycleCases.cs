namespace Rdmarun.Conformance;

/// <summary>create/start/state/kill/delete/run as the runtime-spec lifecycle describes them.</summary>
static class LifecycleCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("lifecycle", "create→created→start→running→exit→stopped→delete→gone", Lifecycle),
        new("kill-signals", "kill accepts signal names with and without SIG and numbers", KillSignals),
        new("kill-created", "kill of a created (never started) container stops it", KillCreated),
        new("delete-running", "delete of a running container is refused without --force", DeleteRunning),
        new("state-unknown", "state of an unknown id fails non-zero", StateUnknown),
        new("create-duplicate", "a second create with the same id fails and leaves the first alone", CreateDuplicate),
        new("run-exit-code", "run propagates the container's exit code (3)", RunExitCode),
        new("run-exit-signal", "run exits 128+N when the container is killed by signal N", RunExitSignal),
        new("pid-file", "create --pid-file writes the container's pid", PidFile),
        new("run-detach", "run --detach returns while the container keeps running", RunDetach),
        new("list", "list -q shows every container of this --root", List),
        new("pause-resume", "pause freezes (status paused), resume thaws (status running)", PauseResume),
    ];

    static async Task Lifecycle(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "wait-file=/go", "echo=exiting");
        string id = c.NewId();
        Check.Succeeded(await c.CreateAsync(b, id), "create");
        var created = await c.RequireStateAsync(id);
        Check.Equal("created", created["status"]?.GetValue<string>(), "status after create");
        Check.Equal(id, created["id"]?.GetValue<string>(), "state id");
        Check.Equal(b.Dir, created["bundle"]?.GetValue<string>(), "state bundle");
        int pid = CaseContext.Pid(created);
        Check.True(Directory.Exists($"/proc/{pid}"), $"state pid {pid} is not a live process after create");

        Check.Succeeded(await c.InvokeAsync("start", id), "start");
        await c.WaitForStatusAsync(id, "running");
        Check.Failed(await c.InvokeAsync("start", id), "second start of a running container");

        File.WriteAllText(b.HostPath("/go"), "");
        await c.WaitForStatusAsync(id, "stopped");
        Check.Succeeded(await c.InvokeAsync("delete", id), "delete of a stopped container");
        Check.True(await c.StateAsync(id) is null, "state still succeeds after delete");
    }

    static async Task KillSignals(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        string id = c.NewId();
        var created = await c.StartedAsync(b, id);
        await c.WaitForOutputAsync(created, f => f.Has("paused"), "the validator to install signal handlers");

        foreach (var (arg, number) in new[] { ("USR1", "10"), ("SIGUSR2", "12"), ("10", "10") })
        {
            int before = Facts.Parse(created.Stdout).All("signal").Count;
            Check.Succeeded(await c.InvokeAsync("kill", id, arg), $"kill {arg}");
            var facts = await c.WaitForOutputAsync(created, f => f.All("signal").Count > before, $"signal {arg} to arrive");
            Check.Equal(number, facts.All("signal")[before], $"signal delivered for `kill {arg}`");
        }
        Check.Succeeded(await c.InvokeAsync("kill", id, "SIGTERM"), "kill SIGTERM");
        await c.WaitForStatusAsync(id, "stopped");
        Check.Failed(await c.InvokeAsync("kill", id, "NOTASIGNAL"), "kill with an unknown signal name");
    }

    static async Task KillCreated(CaseContext c)
    {
        string id = c.NewId();
        Check.Succeeded(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), id), "create");
        Check.Succeeded(await c.InvokeAsync("kill", id, "KILL"), "kill KILL of a created container");
        await c.WaitForStatusAsync(id, "stopped");
        Check.Succeeded(await c.InvokeAsync("delete", id), "delete after kill");
    }

    static async Task DeleteRunning(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        string id = c.NewId();
        await c.StartedAsync(b, id);
        await c.WaitForStatusAsync(id, "running");
        Check.Failed(await c.InvokeAsync("delete", id), "delete of a running container without --force");
        Check.Equal("running", (await c.RequireStateAsync(id))["status"]?.GetValue<string>(), "status after refused delete");
        Check.Succeeded(await c.InvokeAsync("delete", "--force", id), "delete --force of a running container");
        Check.True(await c.StateAsync(id) is null, "state still succeeds after delete --force");
    }

    static async Task StateUnknown(CaseContext c)
    {
        // Positive control first: state must work for a real container for the failure below to mean anything.
        string id = c.NewId();
        Check.Succeeded(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), id), "create");
        await c.RequireStateAsync(id);
        var r = await c.InvokeAsync("state", "conf-does-not-exist-" + Guid.NewGuid().ToString("N")[..8]);
        Check.Failed(r, "state of an unknown id");
    }

    static async Task CreateDuplicate(CaseContext c)
    {
        string id = c.NewId();
        Check.Succeeded(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), id), "first create");
        Check.Failed(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), id), "second create with the same id");
        Check.Equal("created", (await c.RequireStateAsync(id))["status"]?.GetValue<string>(), "first container's status after the duplicate create");
    }

    static async Task RunExitCode(CaseContext c)
    {
        var r = await c.RunAsync(await c.NewBundleAsync("quiet", "exit=3"), c.NewId());
        Check.Equal(3, r.ExitCode, $"run exit code ({r.Stderr.Trim()})");
    }

    static async Task RunExitSignal(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        string id = c.NewId();
        var run = c.RunAsync(b, id);
        await c.WaitForStatusAsync(id, "running");
        Check.Succeeded(await c.InvokeAsync("kill", id, "KILL"), "kill KILL");
        var r = await run;
        Check.Equal(128 + 9, r.ExitCode, "run exit code after SIGKILL");
    }

    static async Task PidFile(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        string id = c.NewId();
        string pidFile = Path.Combine(c.WorkDir, "container.pid");
        Check.Succeeded(await c.CreateAsync(b, id, "--pid-file", pidFile), "create --pid-file");
        Check.True(File.Exists(pidFile), $"{pidFile} was not written");
        int statePid = CaseContext.Pid(await c.RequireStateAsync(id));
        Check.Equal(statePid.ToString(), File.ReadAllText(pidFile).Trim(), "pid file content");
    }

    static async Task RunDetach(CaseContext c)
    {
        string id = c.NewId();
        var r = await c.RunAsync(await c.NewBundleAsync("quiet", "pause"), id, "--detach");
        Check.Succeeded(r, "run --detach");
        await c.WaitForStatusAsync(id, "running");
        Check.Succeeded(await c.InvokeAsync("kill", id, "TERM"), "kill TERM");
        await c.WaitForStatusAsync(id, "stopped");
    }

    static async Task List(CaseContext c)
    {
        string first = c.NewId(), second = c.NewId();
        Check.Succeeded(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), first), $"create {first}");
        Check.Succeeded(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), second), $"create {second}");
        var r = await c.InvokeAsync("list", "-q");
        Check.Succeeded(r, "list -q");
        var ids = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Check.True(ids.Contains(first) && ids.Contains(second), $"list -q lacks {first} or {second}: {string.Join(' ', ids)}");
    }

    static async Task PauseResume(CaseContext c)
    {
        await c.NeedCgroupAsync("freezer");
        var b = await c.NewBundleAsync("quiet", "pause");
        string id = c.NewId();
        var created = await c.StartedAsync(b, id);
        await c.WaitForOutputAsync(created, f => f.Has("paused"), "the validator to install signal handlers");
        Check.Succeeded(await c.InvokeAsync("pause", id), "pause");
        Check.Equal("paused", (await c.RequireStateAsync(id))["status"]?.GetValue<string>(), "status after pause");
        // A frozen process cannot handle a signal: USR1 must stay pending until resume.
        Check.Succeeded(await c.InvokeAsync("kill", id, "USR1"), "kill USR1 while paused");
        Check.True(!Facts.Parse(created.Stdout).Has("signal"), "the paused container handled a signal");
        Check.Succeeded(await c.InvokeAsync("resume", id), "resume");
        Check.Equal("running", (await c.RequireStateAsync(id))["status"]?.GetValue<string>(), "status after resume");
        await c.WaitForOutputAsync(created, f => f.Has("signal"), "the signal sent while paused to arrive after resume");
    }
}
