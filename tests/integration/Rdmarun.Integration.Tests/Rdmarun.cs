using System.Diagnostics;

namespace Rdmarun.Integration.Tests;

/// <summary>Runs the built rdmarun binary (RDMARUN_BIN, default out/rdmarun) with a private --root.</summary>
public sealed class Rdmarun
{
    public static string Binary { get; } = FindBinary();
    public string Root { get; }
    /// <summary>The binary this instance runs: <see cref="Binary"/> unless given (the fault-point build).</summary>
    public string Exe { get; }

    public Rdmarun(string root, string? exe = null)
    {
        Root = root;
        Exe = exe ?? Binary;
    }

    private static string FindBinary()
    {
        var env = Environment.GetEnvironmentVariable("RDMARUN_BIN");
        if (!string.IsNullOrEmpty(env)) return env;
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "rdmarun.slnx"))) dir = Path.GetDirectoryName(dir);
        return Path.Combine(dir ?? ".", "out", "rdmarun");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    public Result Run(string cwd, params string[] args) => RunWith(cwd, null, args);

    /// <summary>
    /// Output goes to files, not pipes: a detached container inherits rdmarun's stdio, and a pipe it
    /// holds open would never reach end-of-file while the container runs. The file names travel in
    /// variables outside RDMARUN_*: those are part of a template's key (runtime/native/LAUNCH_TEMPLATE.md),
    /// and names that differ per call would never let two calls share a template.
    /// </summary>
    public Result RunWith(string cwd, IDictionary<string, string>? env, params string[] args)
    {
        var outFile = Path.GetTempFileName();
        var errFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = cwd };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$0\" \"$@\" </dev/null >\"$IT_RDMARUN_OUT\" 2>\"$IT_RDMARUN_ERR\"");
            psi.ArgumentList.Add(Exe);
            psi.ArgumentList.Add("--root");
            psi.ArgumentList.Add(Root);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["IT_RDMARUN_OUT"] = outFile;
            psi.Environment["IT_RDMARUN_ERR"] = errFile;
            if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
            using var p = Process.Start(psi)!;
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"rdmarun {string.Join(' ', args)} did not finish in 60 s");
            }
            return new Result(p.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
        }
        finally
        {
            File.Delete(outFile);
            File.Delete(errFile);
        }
    }
}
