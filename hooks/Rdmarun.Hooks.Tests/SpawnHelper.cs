namespace Rdmarun.Hooks.Tests;

/// <summary>Runs /bin/sh -c with stdout on a pipe and returns what it printed and its wait status.</summary>
internal static class SpawnHelper
{
    internal static (string Stdout, int Status) Sh(string script, string[]? env = null, bool setsid = false,
        IReadOnlyList<(int, int)>? extraFds = null)
    {
        var (r, w) = PosixSpawn.Pipe();
        try
        {
            var map = new List<(int, int)> { (w, 1) };
            if (extraFds != null) map.AddRange(extraFds);
            int pid = PosixSpawn.Spawn("/bin/sh", ["sh", "-c", script], env ?? [], map, setsid);
            PosixSpawn.Close(w);
            w = -1;
            string output = TestLibC.ReadAll(r);
            PosixSpawn.WaitPid(pid, out int status);
            return (output, status);
        }
        finally
        {
            PosixSpawn.Close(r);
            PosixSpawn.Close(w);
        }
    }
}
