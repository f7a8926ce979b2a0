using System.Diagnostics;
using System.Text;

namespace Rdmarun.Conformance;

/// <summary>The result of one finished command; output lives in files so detached containers can keep writing.</summary>
sealed record ProcResult(string[] Argv, int ExitCode, string StdoutPath, string StderrPath, bool TimedOut)
{
    public string Stdout => ProcessRunner.ReadShared(StdoutPath);
    public string Stderr => ProcessRunner.ReadShared(StderrPath);

    /// <summary>Exit status and stderr; callers name the verb, so the long argv (paths, --root) stays out.</summary>
    public string Describe() =>
        $"{(TimedOut ? "timed out" : $"exited {ExitCode}")}: {Trim(Stderr)}";

    static string Trim(string s) => s.Length > 400 ? s[..400] + "..." : s.Trim();
}

/// <summary>
/// Runs a command through /bin/sh so stdio can go to files and extra fds can be opened for --preserve-fds.
/// Pipes are avoided on purpose: a container started by `create` inherits the runtime's stdio and would
/// hold a pipe open, so waiting for EOF would hang until the container exits.
/// </summary>
static class ProcessRunner
{
    static int s_counter;

    public static async Task<ProcResult> RunAsync(
        IReadOnlyList<string> argv, string workDir, TimeSpan timeout,
        string? stdinPath = null, IReadOnlyDictionary<int, string>? extraFds = null,
        CancellationToken cancel = default, IReadOnlyDictionary<string, string>? environment = null)
    {
        int n = Interlocked.Increment(ref s_counter);
        string stdout = Path.Combine(workDir, $"cmd-{n}.out");
        string stderr = Path.Combine(workDir, $"cmd-{n}.err");
        var script = new StringBuilder("exec \"$@\"");
        script.Append(" <").Append(Quote(stdinPath ?? "/dev/null"));
        script.Append(" >").Append(Quote(stdout));
        script.Append(" 2>").Append(Quote(stderr));
        foreach (var (fd, path) in extraFds ?? new Dictionary<int, string>())
            script.Append(' ').Append(fd).Append("<>").Append(Quote(path));

        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            psi.Environment[name] = value;
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script.ToString());
        psi.ArgumentList.Add("sh");
        foreach (var a in argv)
            psi.ArgumentList.Add(a);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
        }
        return new ProcResult(argv.ToArray(), timedOut ? -1 : process.ExitCode, stdout, stderr, timedOut);
    }

    /// <summary>Reads a file that another process may still be writing.</summary>
    public static string ReadShared(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(fs);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException) { return ""; }
        catch (DirectoryNotFoundException) { return ""; }
    }

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
