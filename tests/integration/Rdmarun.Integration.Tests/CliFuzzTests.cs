using System.Diagnostics;
using CsCheck;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// Random command lines from rdmarun's own vocabulary (verbs, flags, odd values) against an empty
/// private --root in an empty directory: rdmarun never crashes (no signal, no unhandled exception),
/// finishes, and a failure says something. Iterations: RDMARUN_FUZZ_CLI_ITERATIONS (scripts/fuzz.sh), else 300.
/// </summary>
public class CliFuzzTests
{
    private static readonly string[] Vocabulary =
    [
        "create", "start", "run", "state", "kill", "delete", "exec", "list", "ps", "pause", "resume", "update", "events", "spec",
        "features", "checkpoint", "help", "version", "launch", "rsh",
        "--bundle", "-b", "--pid-file", "--console-socket", "--detach", "-d", "--force", "-f", "--all", "-a", "--format", "-q",
        "--tty", "-t", "--process", "-p", "--env", "-e", "--cwd", "--user", "-u", "--cap", "--preserve-fds", "--no-pivot",
        "--no-new-keyring", "--keep", "--rootless", "--interval", "--stats", "--memory", "--cpu-quota", "--pids-limit",
        "--log-format", "--debug", "--help", "-h", "--version", "-v", "--systemd-cgroup", "--rdma-policy", "--log", "--criu",
        "c1", "c1", "..", "a/b", "", " ", "-", "--", "---x", "=", "-1", "0", "99999999999", "SIGKILL", "KILL", "SIGFOO", "9", "json",
        "table", "text", "true", "false", "--bundle=", "--preserve-fds=-5", "--preserve-fds=99999", "--user=0:0", "--user=a:b",
        "--memory=1x", "--interval=-1s", "--env=A", "log.txt", "nope.json", "/nonexistent/x", "\u00e9", "a\nb",
    ];

    private static readonly Gen<string> Token = Gen.OneOf(
        Gen.Int[0, Vocabulary.Length - 1].Select(i => Vocabulary[i]),
        Gen.Int[0, Vocabulary.Length - 1].Select(i => Vocabulary[i]),
        Gen.String[0, 12].Select(s => s.Replace("root", "r00t")));

    private static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("RDMARUN_FUZZ_CLI_ITERATIONS"), out var n) && n > 0 ? n : 300;

    [Fact]
    public void Random_command_lines_never_crash_and_every_failure_says_why()
    {
        var root = Directory.CreateTempSubdirectory("rdmarun-clifuzz-").FullName;
        try
        {
            Token.Array[0, 6].Sample(argv =>
            {
                if (argv.Any(a => a.Contains("root"))) return; // never point a command at a real --root
                var cwd = Directory.CreateTempSubdirectory("rdmarun-clifuzz-cwd-").FullName;
                try
                {
                    var (code, stdout, stderr) = Run(cwd, root, argv);
                    string what = $"rdmarun {string.Join(' ', argv.Select(a => $"'{a}'"))} → exit {code}\nstderr: {stderr}";
                    if (code >= 128 || code < 0) throw new Exception("killed by a signal: " + what);
                    if (stderr.Contains("Unhandled exception")) throw new Exception("unhandled exception: " + what);
                    if (code != 0 && stderr.Trim().Length == 0 && stdout.Trim().Length == 0) throw new Exception("failed silently: " + what);
                }
                finally { Directory.Delete(cwd, recursive: true); }
            }, iter: Iterations, threads: 2);
        }
        finally
        {
            foreach (var d in Directory.Exists(root) ? Directory.GetDirectories(root) : [])
                new Rdmarun(root).Run("/", "delete", "--force", Path.GetFileName(d));
            Directory.Delete(root, recursive: true);
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(string cwd, string root, string[] argv)
    {
        var psi = new ProcessStartInfo(Rdmarun.Binary) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(root);
        foreach (var a in argv) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(20_000))
        {
            p.Kill(entireProcessTree: true);
            throw new Exception($"rdmarun {string.Join(' ', argv)} did not finish in 20 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
