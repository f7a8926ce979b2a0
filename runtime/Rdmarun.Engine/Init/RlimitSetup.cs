using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Init;

/// <summary>
/// process.rlimits → prlimit(2). RLIMIT_AS and RLIMIT_DATA also bound rdmarun's own init, whose
/// .NET runtime and libseccomp still allocate until execve: a 1 GiB RLIMIT_AS killed the init with
/// ENOMEM before the user process ran (runtime-tools process_rlimits). Those two are set exactly
/// by <see cref="ApplyLate"/>, just before execve; <see cref="Apply"/> only raises their hard
/// limit when asked, while the init still holds CAP_SYS_RESOURCE. The price: when a spec sets
/// either of them, its seccomp profile (already loaded then) must allow prlimit64.
/// </summary>
public static unsafe class RlimitSetup
{
    private const int RLIMIT_DATA = 2, RLIMIT_AS = 9;

    public static void Apply(IReadOnlyList<POSIXRlimit>? limits)
    {
        foreach (var l in limits ?? [])
        {
            int res = Resource(l);
            var lim = new Libc.RLimit { Cur = l.Soft, Max = l.Hard };
            if (IsLate(res))
            {
                Libc.RLimit cur;
                SyscallException.Check(Libc.prlimit(0, res, null, &cur), $"read {l.Type}");
                if (l.Hard <= cur.Max) continue;
                lim.Cur = cur.Cur;
            }
            SyscallException.Check(Libc.prlimit(0, res, &lim, null), $"set {l.Type} to {l.Soft}/{l.Hard}");
        }
    }

    /// <summary>RLIMIT_AS and RLIMIT_DATA as asked: only lowers the hard limit, so needs no capability.</summary>
    public static void ApplyLate(IReadOnlyList<POSIXRlimit>? limits)
    {
        foreach (var l in limits ?? [])
        {
            int res = Resource(l);
            if (!IsLate(res)) continue;
            var lim = new Libc.RLimit { Cur = l.Soft, Max = l.Hard };
            SyscallException.Check(Libc.prlimit(0, res, &lim, null), $"set {l.Type} to {l.Soft}/{l.Hard}");
        }
    }

    private static bool IsLate(int res) => res is RLIMIT_AS or RLIMIT_DATA;

    private static int Resource(POSIXRlimit l) =>
        Rdmarun.OciSpec.Rlimits.TryGetResource(l.Type, out int res) ? res : throw new RuntimeError($"process.rlimits: unknown rlimit type {l.Type}");
}
