namespace Rdmarun.Rdma;

/// <summary>
/// mlx4 SR-IOV P_Key virtualisation: the physical table per port (iov/ports/&lt;p&gt;/pkeys, read-only) and, per
/// PCI function, the map from the function's virtual index to a physical index (iov/&lt;pci&gt;/ports/&lt;m&gt;/pkey_idx).
/// </summary>
public sealed record Mlx4Iov(
    IReadOnlyDictionary<int, IReadOnlyList<PkeyEntry>> PhysicalPkeys,
    IReadOnlyList<Mlx4FunctionPkeyMap> Functions);

/// <summary>VirtualToPhysical[v] = physical index, or null when the slot reads "none".</summary>
public sealed record Mlx4FunctionPkeyMap(string PciSlot, int Port, IReadOnlyDictionary<int, int?> VirtualToPhysical)
{
    /// <summary>
    /// Every pkey_idx file has its owner-write bit: mlx4 gives the files a store method (mode 0644) only on
    /// InfiniBand ports; on Ethernet ports they are 0444 and cannot be remapped.
    /// </summary>
    public bool Writable { get; init; }
}
