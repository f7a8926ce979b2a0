using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Init;

/// <summary>process.rlimits → prlimit(2).</summary>
public static unsafe class RlimitSetup
{
    public static void Apply(IReadOnlyList<POSIXRlimit>? limits)
    {
        foreach (var l in limits ?? [])
        {
            if (!Rdmarun.OciSpec.Rlimits.TryGetResource(l.Type, out int res)) throw new RuntimeError($"process.rlimits: unknown rlimit type {l.Type}");
            var lim = new Libc.RLimit { Cur = l.Soft, Max = l.Hard };
            SyscallException.Check(Libc.prlimit(0, res, &lim, null), $"set {l.Type} to {l.Soft}/{l.Hard}");
        }
    }
}
