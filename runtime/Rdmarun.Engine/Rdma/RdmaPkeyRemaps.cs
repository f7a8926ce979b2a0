using Rdmarun.Rdma;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// The runtime's side of mlx4 VF P_Key restriction (<see cref="Mlx4PkeyRemap"/>): create writes the planned maps
/// after the container's record names them, delete and a failed create put the previous maps back. A rewritten
/// map is claimed for its container (a file per VF port under <see cref="ClaimDir"/>): while it is, no other
/// container may be granted that VF with a P_Key restriction, since the first one's delete would restore the
/// wide map under it (or its own "previous" map would be the first one's). The sysfs root is a parameter so
/// tests run on a fixture tree.
/// </summary>
public static class RdmaPkeyRemaps
{
    /// <summary>Host-wide, like the devices themselves; tests point it elsewhere.</summary>
    public static string ClaimDir { get; set; } = "/run/rdmarun/pkey-remap";

    static string ClaimOf(string device, int port) => Path.Combine(ClaimDir, $"{device}.{port}");

    /// <summary>
    /// Before anything exists: refuses a P_Key-restricted grant of a device whose map another container's
    /// rewrite holds.
    /// </summary>
    public static void CheckFree(IEnumerable<RdmaGrantedDevice> granted, string id)
    {
        foreach (var g in granted.Where(g => g.Pkeys is not null))
            foreach (var port in g.Device.Ports)
                if (Owner(ClaimOf(g.Name, port.Number)) is { } owner && owner != id)
                    throw new RuntimeError($"rdma: device {g.Name} port {port.Number}: its p_key map is rewritten for container {owner}; an mlx4 VF serves one p_key-restricted container at a time");
    }

    /// <summary>Claims and writes every remap; on a failure the ones already written are restored and the error is thrown.</summary>
    public static void Apply(IReadOnlyList<Mlx4PkeyRemap> remaps, string id, string sysRoot = "/")
    {
        var done = new List<Mlx4PkeyRemap>();
        try
        {
            foreach (var r in remaps)
            {
                Claim(r, id);
                done.Add(r);
                Mlx4PkeyTable.Apply(r, sysRoot); // restores its own map when it fails
            }
        }
        catch (Exception e) when (e is RdmaRefusalException or RuntimeError or IOException)
        {
            foreach (var r in Enumerable.Reverse(done))
                try { Mlx4PkeyTable.Restore(r, sysRoot); Release(r, id); }
                catch (Exception) { /* the first failure says more; delete retries from the record */ }
            throw e as RuntimeError ?? new RuntimeError(e.Message, e);
        }
    }

    /// <summary>Restores every recorded map and drops its claim (all are tried); the failures, if any, in one error.</summary>
    public static void Restore(IReadOnlyList<Mlx4PkeyRemap>? remaps, string id, string sysRoot = "/")
    {
        var failures = new List<string>();
        foreach (var r in Enumerable.Reverse(remaps ?? []))
        {
            // Claimed by another container: this one's write never happened (it was refused), so nothing to put back.
            if (Owner(ClaimOf(r.Device, r.Port)) is { } owner && owner != id) continue;
            try
            {
                Mlx4PkeyTable.Restore(r, sysRoot);
                Release(r, id);
            }
            catch (RdmaRefusalException e) { failures.Add(e.Message); }
        }
        if (failures.Count > 0) throw new RuntimeError(string.Join("; ", failures));
    }

    static void Claim(Mlx4PkeyRemap r, string id)
    {
        var path = ClaimOf(r.Device, r.Port);
        Directory.CreateDirectory(ClaimDir);
        try
        {
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            f.Write(System.Text.Encoding.UTF8.GetBytes(id));
        }
        catch (IOException) when (File.Exists(path))
        {
            if (Owner(path) is { } owner && owner != id)
                throw new RuntimeError($"rdma: device {r.Device} port {r.Port}: its p_key map is rewritten for container {owner}; an mlx4 VF serves one p_key-restricted container at a time");
        }
    }

    static void Release(Mlx4PkeyRemap r, string id)
    {
        var path = ClaimOf(r.Device, r.Port);
        if (Owner(path) == id) File.Delete(path);
    }

    static string? Owner(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }
}
