namespace Rdmarun.Conformance;

/// <summary>exec into a running container, --console-socket and --preserve-fds.</summary>
static class ExecCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("exec-namespaces", "exec joins every namespace of the running container", ExecNamespaces),
        new("exec-options", "exec --env, --cwd and --user apply to the exec'd process", ExecOptions),
        new("exec-exit-code", "exec returns the exec'd process's exit code (5)", ExecExitCode),
        new("console-socket", "terminal=true sends a pty master over --console-socket; output arrives through it", ConsoleSocketCase),
        new("preserve-fds", "--preserve-fds 1 passes fd 3 and closes fd 4", PreserveFds),
    ];

    static async Task<(string Id, int Pid)> PausedAsync(CaseContext c, long ids = 1)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        b.AddNamespace("cgroup");
        if (ids > 1)
            b.NeedIds(ids);
        string id = c.NewId();
        await c.StartedAsync(b, id);
        return (id, CaseContext.Pid(await c.WaitForStatusAsync(id, "running")));
    }

    static async Task ExecNamespaces(CaseContext c)
    {
        var (id, pid) = await PausedAsync(c);
        var r = await c.InvokeAsync("exec", id, "/validator");
        Check.Succeeded(r, "exec /validator");
        var facts = Facts.Parse(r.Stdout);
        foreach (var ns in new[] { "pid", "net", "ipc", "uts", "mnt", "cgroup" })
            Check.Equal(HostInfo.NsInode(pid.ToString(), ns), facts.NsInode(ns), $"{ns} namespace of the exec'd process");
        Check.NotEqual("1", facts["pid"], "pid of the exec'd process (1 belongs to the container's init)");
    }

    static async Task ExecOptions(CaseContext c)
    {
        var (id, _) = await PausedAsync(c, Assets.TestUid + 1);
        var r = await c.InvokeAsync("exec", "--env", "EXEC_VAR=from exec", "--cwd", "/tmp",
            "--user", $"{Assets.TestUid}:{Assets.TestGid}", id, "/validator");
        Check.Succeeded(r, "exec with --env --cwd --user");
        var facts = Facts.Parse(r.Stdout);
        Check.True(facts.All("env").Contains("EXEC_VAR=from exec"), $"env of the exec'd process lacks EXEC_VAR: {string.Join(" | ", facts.All("env"))}");
        Check.Equal("/tmp", facts["cwd"], "cwd of the exec'd process");
        Check.Equal(Assets.TestUid.ToString(), facts["uid"], "uid of the exec'd process");
        Check.Equal(Assets.TestGid.ToString(), facts["gid"], "gid of the exec'd process");
    }

    static async Task ExecExitCode(CaseContext c)
    {
        var (id, _) = await PausedAsync(c);
        var r = await c.InvokeAsync("exec", id, "/validator", "quiet", "exit=5");
        Check.Equal(5, r.ExitCode, $"exec exit code ({r.Stderr.Trim()})");
    }

    static async Task ConsoleSocketCase(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "echo=hello", "wait-file=/go");
        b.Process["terminal"] = true;
        string id = c.NewId();
        using var server = new ConsoleSocketServer(Path.Combine(c.WorkDir, "console.sock"));
        if (b.User is not null)
            await b.User.ChownAsync(server.Path); // connecting needs write permission on the socket
        var receive = server.ReceivePtyMasterAsync(CaseContext.WaitLimit);
        var create = await c.CreateAsync(b, id, "--console-socket", server.Path);
        Check.Succeeded(create, "create --console-socket");
        using var master = await receive;
        Check.Succeeded(await c.InvokeAsync("start", id), "start");
        string output = await master.ReadUntilAsync("hello", CaseContext.WaitLimit);
        Check.True(output.Contains("hello"), $"pty output lacks hello: \"{output}\"");
        File.WriteAllText(b.HostPath("/go"), "");
        await c.WaitForStatusAsync(id, "stopped");
    }

    static async Task PreserveFds(CaseContext c)
    {
        string kept = Path.Combine(c.WorkDir, "kept.txt"), dropped = Path.Combine(c.WorkDir, "dropped.txt");
        File.WriteAllText(kept, "preserved\n");
        File.WriteAllText(dropped, "leaked\n");
        var b = await c.NewBundleAsync("quiet", "fd=3", "fd=4");
        b.Save();
        var r = await c.InvokeAsync(new Dictionary<int, string> { [3] = kept, [4] = dropped },
            "run", "--preserve-fds", "1", "--bundle", b.Dir, c.NewId());
        Check.Succeeded(r, "run --preserve-fds 1");
        var facts = Facts.Parse(r.Stdout);
        Check.True(facts["fd.3"].EndsWith("|preserved"), $"fd 3 inside: {facts["fd.3"]}");
        Check.True(facts["fd.4"].StartsWith("err:"), $"fd 4 leaked into the container: {facts["fd.4"]}");
    }
}
