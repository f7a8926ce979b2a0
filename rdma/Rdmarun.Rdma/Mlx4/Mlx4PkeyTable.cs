using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>
/// Writes an mlx4 VF's virtual P_Key table through the PF's pkey_idx files and reads it back: the driver refuses
/// out-of-range indices with EINVAL and the write is the whole restriction, so an entry that does not read back
/// as written leaves the container with keys it may not use. The write seam exists for tests (a fixture file
/// accepts anything; the kernel does not).
/// </summary>
public static class Mlx4PkeyTable
{
    /// <summary>
    /// Writes <see cref="Mlx4PkeyRemap.Target"/> and verifies it; on any failure writes <see cref="Mlx4PkeyRemap.Previous"/>
    /// back (best effort) and throws.
    /// </summary>
    public static void Apply(Mlx4PkeyRemap remap, string sysRoot = "/", Action<string, string>? write = null)
    {
        try
        {
            Write(remap, remap.Target, "restrict", sysRoot, write);
        }
        catch (RdmaRefusalException)
        {
            try { Write(remap, remap.Previous, "restore", sysRoot, write); }
            catch (RdmaRefusalException) { /* the first failure says more; delete retries from the record */ }
            throw;
        }
    }

    /// <summary>Puts back the mapping the VF had before <see cref="Apply"/>, and verifies it.</summary>
    public static void Restore(Mlx4PkeyRemap remap, string sysRoot = "/", Action<string, string>? write = null)
        => Write(remap, remap.Previous, "restore", sysRoot, write);

    static void Write(Mlx4PkeyRemap remap, IReadOnlyList<string> table, string verb, string sysRoot, Action<string, string>? write)
    {
        var dir = remap.Directory(sysRoot);
        write ??= static (path, text) => File.WriteAllText(path, text);
        for (var v = 0; v < table.Count; v++)
        {
            var path = Path.Combine(dir, v.ToString(CultureInfo.InvariantCulture));
            try { write(path, table[v] + "\n"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RdmaRefusalException(RdmaRefusalReason.PkeyTableNotRestricted,
                    $"rdma: cannot {verb} the p_key table of device {remap.Device} port {remap.Port}: write {table[v]} to {path}: {e.Message}");
            }
        }
        var read = table.Select((_, v) => ReadBack(Path.Combine(dir, v.ToString(CultureInfo.InvariantCulture)))).ToList();
        if (!read.SequenceEqual(table))
            throw new RdmaRefusalException(RdmaRefusalReason.PkeyTableNotRestricted,
                $"rdma: the p_key table of device {remap.Device} port {remap.Port} ({remap.Where}) reads back {Mlx4PkeyRemap.Describe(read)} after writing {Mlx4PkeyRemap.Describe(table)} ({verb})");
    }

    static string ReadBack(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"unreadable ({e.Message})"; }
    }
}
