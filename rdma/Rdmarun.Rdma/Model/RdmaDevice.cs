namespace Rdmarun.Rdma;

/// <summary>An RDMA device under /sys/class/infiniband/&lt;name&gt; with its ports and character devices.</summary>
public sealed record RdmaDevice(
    string Name,
    string? NodeGuid,
    int? NodeTypeCode,
    string? NodeType,
    string? FirmwareVersion,
    string? Driver,
    IReadOnlyList<RdmaPort> Ports,
    IReadOnlyList<string> NetDevices,
    IReadOnlyList<RdmaCharDevice> CharDevices,
    Mlx4Iov? Iov)
{
    /// <summary>The PCI address of the function behind the device (device link's name, "0000:05:00.1"); null for soft devices.</summary>
    public string? PciSlot { get; init; }

    /// <summary>
    /// The kernel driver for messages: the device/driver link (mlx5_core) when there is one, else the name
    /// without its instance number (soft devices like rxe0 have no parent device).
    /// </summary>
    public string DriverName => Driver ?? DriverFromName(Name);

    public RdmaCharDevice? Uverbs => CharDevices.FirstOrDefault(c => c.Kind == RdmaCharDeviceKind.Uverbs);

    public IEnumerable<RdmaCharDevice> CharDevicesOf(RdmaCharDeviceKind kind) => CharDevices.Where(c => c.Kind == kind);

    public static string DriverFromName(string name)
    {
        var end = name.Length;
        while (end > 0 && char.IsAsciiDigit(name[end - 1])) end--;
        if (end > 0 && name[end - 1] == '_') end--;
        return end == 0 ? name : name[..end];
    }
}

/// <summary>Everything discovered: devices in name order and the global rdma_cm node when present.</summary>
public sealed record RdmaInventory(IReadOnlyList<RdmaDevice> Devices, RdmaCharDevice? RdmaCm)
{
    public static RdmaInventory Empty { get; } = new([], null);

    /// <summary>Exact, case-sensitive lookup (mlx5_1 must never match mlx5_10).</summary>
    public RdmaDevice? Find(string name) => Devices.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
