using System.Text;

namespace Rdmarun.Hooks.Tests;

/// <summary>The pump without a pidfd: the fallback for kernels before 5.3, which polls waitpid.</summary>
public class HookIoTests
{
    private static (int? Status, HookIo Io) PumpSh(string script, byte[] input, long? deadline)
    {
        var stdin = PosixSpawn.Pipe();
        var stdout = PosixSpawn.Pipe();
        var stderr = PosixSpawn.Pipe();
        try
        {
            int pid = PosixSpawn.Spawn("/bin/sh", ["sh", "-c", script], [], [(stdin.Read, 0), (stdout.Write, 1), (stderr.Write, 2)]);
            PosixSpawn.Close(stdin.Read);
            PosixSpawn.Close(stdout.Write);
            PosixSpawn.Close(stderr.Write);
            var io = new HookIo();
            int? status = io.Pump(pid, stdin.Write, stdout.Read, stderr.Read, input, deadline, usePidfd: false);
            if (status is null)
            {
                PosixSpawn.Kill(pid, PosixSpawn.SIGKILL);
                PosixSpawn.WaitPid(pid, out _);
            }
            return (status, io);
        }
        finally
        {
            PosixSpawn.Close(stdout.Read);
            PosixSpawn.Close(stderr.Read);
        }
    }

    [Fact]
    public void Without_pidfd_exit_status_and_output_are_collected()
    {
        var (status, io) = PumpSh("cat; echo e >&2; exit 5", Encoding.UTF8.GetBytes("state"), null);

        Assert.Equal(5, WaitStatus.ExitStatus(status!.Value));
        Assert.Equal("state", io.Stdout);
        Assert.Equal("e\n", io.Stderr);
    }

    [Fact]
    public void Without_pidfd_a_silent_hook_still_reaches_its_deadline()
    {
        var (status, _) = PumpSh("exec >&- 2>&- <&-; exec sleep 600", [], Environment.TickCount64 + 500);

        Assert.Null(status);
    }
}
