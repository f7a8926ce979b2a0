namespace Rdmarun.Conformance;

/// <summary>What only a rootless runtime does: where its state lives and whose process the container is.</summary>
static class RootlessCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("rootless-state-dir", "without --root, state lives under $XDG_RUNTIME_DIR, owned by the user", StateDir, RootlessOnly: true),
        new("rootless-host-uid", "on the host the container runs as the user; inside it is root mapped from the user", HostUid, RootlessOnly: true),
    ];

    static async Task StateDir(CaseContext c)
    {
        var user = c.Runtime.User!;
        string id = c.NewId();
        Check.Succeeded(await c.CreateAsync(await c.NewBundleAsync("quiet", "pause"), id), "create without --root");
        // Each runtime names its own sub-directory ($XDG_RUNTIME_DIR/rdmarun, /runc, /crun).
        var found = Directory.GetDirectories(c.Runtime.StateRoot).Select(d => Path.Combine(d, id)).Where(Path.Exists).ToList();
        Check.True(found.Count == 1, $"no state directory {c.Runtime.StateRoot}/*/{id} ($XDG_RUNTIME_DIR): {string.Join(", ", found)}");
        var owner = await ProcessRunner.RunAsync(["stat", "-c", "%u", found[0]], c.WorkDir, RuntimeUnderTest.DefaultTimeout);
        Check.Equal(user.Uid.ToString(), owner.Stdout.Trim(), $"owner of {found[0]}");
        Check.Succeeded(await c.InvokeAsync("delete", "--force", id), "delete --force");
        Check.True(!Path.Exists(found[0]), $"{found[0]} is left after delete");
    }

    static async Task HostUid(CaseContext c)
    {
        var user = c.Runtime.User!;
        var b = await c.NewBundleAsync("pause");
        string id = c.NewId();
        var created = await c.StartedAsync(b, id);
        int pid = CaseContext.Pid(await c.WaitForStatusAsync(id, "running"));
        var facts = await c.WaitForOutputAsync(created, f => f.Has("paused"), "the validator's facts");
        var uids = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];
        Check.True(uids.All(u => u == user.Uid.ToString()), $"host uids (real, effective, saved, fs) of the container: {string.Join(' ', uids)}, expected {user.Uid}");
        Check.Equal("0", facts["uid"], "uid inside");
        Check.Equal($"0 {user.Uid} 1", string.Join(' ', facts["uid_map"].Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)), "uid_map inside");
    }
}
