using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>
/// A rewrite of one mlx4 VF port's virtual P_Key table (the PF's iov/&lt;vf&gt;/ports/&lt;p&gt;/pkey_idx/&lt;v&gt;
/// files, drivers/infiniband/hw/mlx4/sysfs.c): each virtual index names a physical index of the port's table, or
/// "none" (the driver then points it at the last physical slot, which holds no key). Both tables are kept in
/// the container's record, <see cref="Previous"/> before the first write, so delete (and delete --force after a
/// crash) can put the VF back as it was. Entries are sysfs text by virtual index: "2" or "none".
/// </summary>
public sealed class Mlx4PkeyRemap
{
    /// <summary>The VF's own RDMA device (mlx4_1), as granted.</summary>
    public string Device { get; set; } = "";
    /// <summary>The VF's port number as the container sees it.</summary>
    public int Port { get; set; }
    /// <summary>The PF's RDMA device, which holds the iov tree (mlx4_0).</summary>
    public string PfDevice { get; set; } = "";
    /// <summary>The VF's PCI address, the iov directory's name.</summary>
    public string PciSlot { get; set; } = "";
    /// <summary>The physical port the VF port is (iov/&lt;vf&gt;/ports/&lt;n&gt;).</summary>
    public int PhysicalPort { get; set; }
    public List<string> Previous { get; set; } = [];
    public List<string> Target { get; set; } = [];

    public const string None = "none";

    /// <summary>The pkey_idx directory under <paramref name="sysRoot"/>.</summary>
    public string Directory(string sysRoot = "/")
        => Path.Combine(sysRoot, "sys/class/infiniband", PfDevice, "iov", PciSlot, "ports",
            PhysicalPort.ToString(CultureInfo.InvariantCulture), "pkey_idx");

    /// <summary>For messages: "mlx4_0 iov/0000:05:00.1/ports/1/pkey_idx".</summary>
    public string Where => $"{PfDevice} iov/{PciSlot}/ports/{PhysicalPort.ToString(CultureInfo.InvariantCulture)}/pkey_idx";

    /// <summary>
    /// The PF function map behind <paramref name="vf"/>'s port <paramref name="port"/>, or null when the device is not
    /// an mlx4 VF. The iov tree names each function by PCI address; the PF's own entry (slave 0) is never remappable
    /// (the driver refuses with EINVAL), so a device that is itself the iov tree's owner has none. A VF with fewer
    /// active ports than the HCA lists only its own physical ports: its port N is the N-th of them.
    /// </summary>
    public static (RdmaDevice Pf, Mlx4FunctionPkeyMap Map)? Find(RdmaInventory inventory, RdmaDevice vf, int port)
    {
        if (vf.PciSlot is not { } slot) return null;
        foreach (var pf in inventory.Devices)
        {
            if (pf.Iov is not { } iov || pf.PciSlot == slot) continue;
            var maps = iov.Functions.Where(f => f.PciSlot == slot).OrderBy(f => f.Port).ToList();
            var ordinal = vf.Ports.Select(p => p.Number).Order().ToList().IndexOf(port);
            if (ordinal >= 0 && ordinal < maps.Count) return (pf, maps[ordinal]);
        }
        return null;
    }

    /// <summary>
    /// The remap that leaves the VF port only the physical entries some allowed key covers, packed from virtual
    /// index 0 in physical order (index 0 is the key IPoIB's parent uses, normally the default partition), every
    /// other virtual index "none". Null when the allowed keys need more slots than the VF has.
    /// </summary>
    public static Mlx4PkeyRemap? Plan(RdmaDevice vf, int port, RdmaDevice pf, Mlx4FunctionPkeyMap map, IReadOnlyList<ushort> allowed)
    {
        var physical = pf.Iov!.PhysicalPkeys.GetValueOrDefault(map.Port) ?? [];
        var keep = physical.Where(e => !e.IsEmpty && allowed.Any(a => Pkey.Covers(a, e.Value))).Select(e => e.Index).ToList();
        var slots = map.VirtualToPhysical.Keys.Order().ToList();
        if (keep.Count > slots.Count) return null;
        return new Mlx4PkeyRemap
        {
            Device = vf.Name, Port = port, PfDevice = pf.Name, PciSlot = map.PciSlot, PhysicalPort = map.Port,
            Previous = slots.Select(v => Text(map.VirtualToPhysical[v])).ToList(),
            Target = slots.Select((_, i) => i < keep.Count ? keep[i].ToString(CultureInfo.InvariantCulture) : None).ToList(),
        };
    }

    static string Text(int? physical) => physical?.ToString(CultureInfo.InvariantCulture) ?? None;

    /// <summary>"0: 0, 1: 2, 2: none" for messages.</summary>
    public static string Describe(IReadOnlyList<string> table)
        => string.Join(", ", table.Select((t, i) => $"{i.ToString(CultureInfo.InvariantCulture)}: {t}"));
}
