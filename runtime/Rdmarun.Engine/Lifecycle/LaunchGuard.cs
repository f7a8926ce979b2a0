using Rdmarun.Engine.Native;
using Rdmarun.Hooks;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Spawns runtime/native/launch_guard.c for one rank container: a process in its own session
/// that waits for the end of a pipe only we hold and then force-deletes the container if it is
/// still there. It covers what no handler can: mpirun's SIGKILL one second after SIGTERM, or a
/// launcher killed while the rank was being deleted.
/// </summary>
public static class LaunchGuard
{
    private const string GuardEnv = "_RDMARUN_LAUNCH_GUARD";

    /// <summary>Starts the guard; our end of the pipe stays open (close-on-exec) until we exit.</summary>
    public static void Start(GlobalOptions g, string id)
    {
        var exe = Environment.ProcessPath ?? throw new RuntimeError("launch: cannot find the rdmarun executable for the cleanup guard");
        var dir = new Container.StateStore(g.Root).DirOf(id);
        var argv = new List<string> { "rdmarun", "--root", g.Root };
        if (g.SystemdCgroup) argv.Add("--systemd-cgroup");
        argv.AddRange(["--rdma-policy", g.RdmaPolicy, "delete", "--force", id]);
        var (read, write) = PosixSpawn.Pipe();
        int devNull = Libc.open("/dev/null", LibcConst.O_RDWR | LibcConst.O_CLOEXEC, 0);
        try
        {
            SyscallException.Check(devNull, "open /dev/null for the launch guard");
            // Own session: a signal to the launcher's process group (Slurm, a shell) spares it.
            // Its stdio is not the rank's: it must not keep the launcher's output pipes open.
            PosixSpawn.Spawn(exe, argv.ToArray(), [$"{GuardEnv}={dir}", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
                [(read, 0), (devNull, 1), (devNull, 2)], setsid: true);
        }
        catch (PosixException e) { throw new RuntimeError($"launch: start the cleanup guard: {e.Message}"); }
        finally
        {
            PosixSpawn.Close(read);
            if (devNull >= 0) Libc.close(devNull);
        }
        _ = write; // never closed: the guard sees end of file when this process is gone
    }
}
