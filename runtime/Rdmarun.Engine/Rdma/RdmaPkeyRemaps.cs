using Rdmarun.Rdma;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// The runtime's side of mlx4 VF P_Key restriction (<see cref="Mlx4PkeyRemap"/>): create writes the planned maps
/// after the container's record names them, delete and a failed create put the previous maps back. The sysfs
/// root is a parameter so tests run on a fixture tree.
/// </summary>
public static class RdmaPkeyRemaps
{
    /// <summary>Writes every remap; on a failure the ones already written are restored and the error is thrown.</summary>
    public static void Apply(IReadOnlyList<Mlx4PkeyRemap> remaps, string sysRoot = "/")
    {
        var done = new List<Mlx4PkeyRemap>();
        try
        {
            foreach (var r in remaps)
            {
                Mlx4PkeyTable.Apply(r, sysRoot); // restores its own map when it fails
                done.Add(r);
            }
        }
        catch (RdmaRefusalException e)
        {
            foreach (var r in Enumerable.Reverse(done))
                try { Mlx4PkeyTable.Restore(r, sysRoot); }
                catch (RdmaRefusalException) { /* the first failure says more; delete retries from the record */ }
            throw new RuntimeError(e.Message, e);
        }
    }

    /// <summary>Restores every recorded map (all are tried); the failures, if any, in one error.</summary>
    public static void Restore(IReadOnlyList<Mlx4PkeyRemap>? remaps, string sysRoot = "/")
    {
        var failures = new List<string>();
        foreach (var r in Enumerable.Reverse(remaps ?? []))
        {
            try { Mlx4PkeyTable.Restore(r, sysRoot); }
            catch (RdmaRefusalException e) { failures.Add(e.Message); }
        }
        if (failures.Count > 0) throw new RuntimeError(string.Join("; ", failures));
    }
}
