using System.Diagnostics;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Diagnostics;

/// <summary>
/// Named points in the lifecycle where a test can have rdmarun die by SIGKILL, to prove that
/// `delete --force` cleans up after a crash at any stage. Calls compile to nothing unless the
/// engine is built with RDMARUN_FAULTS (`scripts/build.sh --faults`, out/faults/rdmarun); even
/// then only the point named by RDMARUN_TEST_FAULT fires. Production binaries ignore both.
/// </summary>
public static class FaultPoint
{
    public const string EnvVar = "RDMARUN_TEST_FAULT";

    [Conditional("RDMARUN_FAULTS")]
    public static void Hit(string name)
    {
        if (Environment.GetEnvironmentVariable(EnvVar) != name) return;
        // SIGKILL, not an exit: no finally block, no undo, exactly what a crash or an OOM kill leaves.
        Libc.kill(Environment.ProcessId, LibcConst.SIGKILL);
    }
}
