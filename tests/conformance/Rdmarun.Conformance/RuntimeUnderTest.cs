using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>
/// One runtime binary as the user named it on the command line. The command may carry global
/// flags after the path ("/usr/bin/crun --cgroup-manager=disabled"); a private --root keeps our
/// containers apart from anybody else's on the host.
///
/// Rootless (<paramref name="user"/> set): every command runs as that user, with no --root: the
/// runtime must find its state dir under $XDG_RUNTIME_DIR itself, which is then <paramref name="stateRoot"/>,
/// a directory private to this column. A command with the tokens {uid} and {gid} drops privileges
/// itself (a wrapper that needs root first, e.g. for a private mount namespace) and is not wrapped.
/// </summary>
sealed class RuntimeUnderTest(string name, IReadOnlyList<string> command, string stateRoot, RootlessUser? user = null)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Command { get; } = command;
    public string StateRoot { get; } = stateRoot;
    public RootlessUser? User { get; } = user;

    public static TimeSpan DefaultTimeout => TimeScale.Of(TimeSpan.FromSeconds(30));

    public IReadOnlyList<string> Argv(IEnumerable<string> args)
    {
        if (User is null)
            return [.. Command, "--root", StateRoot, .. args];
        if (Command.Any(a => a.Contains("{uid}") || a.Contains("{gid}")))
            return [.. Command.Select(a => a.Replace("{uid}", User.Uid.ToString()).Replace("{gid}", User.Gid.ToString())), .. args];
        return User.Wrap([.. Command, .. args]);
    }

    IReadOnlyDictionary<string, string>? Environment => User?.Environment(StateRoot);

    public Task<ProcResult> InvokeAsync(string workDir, IEnumerable<string> args,
        IReadOnlyDictionary<int, string>? extraFds = null, TimeSpan? timeout = null, CancellationToken cancel = default) =>
        ProcessRunner.RunAsync(Argv(args), workDir, timeout ?? DefaultTimeout, extraFds: extraFds, cancel: cancel, environment: Environment);

    /// <summary>`state ID` parsed, or null when the runtime says the container does not exist.</summary>
    public async Task<JsonObject?> StateAsync(string workDir, string id)
    {
        var r = await InvokeAsync(workDir, ["state", id]);
        if (r.ExitCode != 0)
            return null;
        try
        {
            return JsonNode.Parse(r.Stdout) as JsonObject;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CaseFailedException($"state {id} printed invalid json: {e.Message}: {r.Stdout}");
        }
    }
}
