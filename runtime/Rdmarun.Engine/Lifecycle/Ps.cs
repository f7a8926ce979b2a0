using System.Diagnostics;
using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `ps`: the container's processes. JSON = the host pids of its cgroup; table = the host's `ps`
/// output (runc runs `ps` with the caller's arguments, default -ef) filtered to those pids.
/// </summary>
public static class Ps
{
    public static IReadOnlyList<int> Pids(GlobalOptions g, string id)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(id);
        var r = store.Load(id);
        var cg = ContainerCgroup.Load(r);
        if (cg is null || !cg.Exists()) return [];
        return cg.Pids();
    }

    public static string Table(GlobalOptions g, string id, IReadOnlyList<string> psArgs)
    {
        var pids = Pids(g, id);
        var output = RunPs(psArgs.Count == 0 ? ["-ef"] : psArgs);
        return Filter(output, pids);
    }

    /// <summary>Keeps the header and the lines whose PID column is one of <paramref name="pids"/>.</summary>
    public static string Filter(string psOutput, IReadOnlyCollection<int> pids)
    {
        var lines = psOutput.Split('\n');
        int pidIndex = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidIndex < 0) throw new RuntimeError("couldn't find PID field in ps output");
        var keep = new HashSet<int>(pids);
        var sb = new System.Text.StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (pidIndex >= fields.Length || !int.TryParse(fields[pidIndex], out var pid))
                throw new RuntimeError($"unexpected pid '{(pidIndex < fields.Length ? fields[pidIndex] : "")}' in ps output line: {line}");
            if (keep.Contains(pid)) sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    private static string RunPs(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi) ?? throw new RuntimeError("ps: could not start"); }
        catch (System.ComponentModel.Win32Exception e) { throw new RuntimeError($"ps: could not run: {e.Message.ToLowerInvariant()}"); }
        using (p)
        {
            var errTask = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var err = errTask.Result;
            if (p.ExitCode != 0) throw new RuntimeError($"ps {string.Join(' ', args)} failed (exit {p.ExitCode}): {(output + err).Trim()}");
            return output;
        }
    }
}
