using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>
/// One runtime binary as the user named it on the command line. The command may carry global
/// flags after the path ("/usr/bin/crun --cgroup-manager=disabled"); a private --root keeps our
/// containers apart from anybody else's on the host.
/// </summary>
sealed class RuntimeUnderTest(string name, IReadOnlyList<string> command, string stateRoot)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Command { get; } = command;
    public string StateRoot { get; } = stateRoot;

    public static TimeSpan DefaultTimeout => TimeScale.Of(TimeSpan.FromSeconds(30));

    public IReadOnlyList<string> Argv(IEnumerable<string> args) =>
        [.. Command, "--root", StateRoot, .. args];

    public Task<ProcResult> InvokeAsync(string workDir, IEnumerable<string> args,
        IReadOnlyDictionary<int, string>? extraFds = null, TimeSpan? timeout = null, CancellationToken cancel = default) =>
        ProcessRunner.RunAsync(Argv(args), workDir, timeout ?? DefaultTimeout, extraFds: extraFds, cancel: cancel);

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
