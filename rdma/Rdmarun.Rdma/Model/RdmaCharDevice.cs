namespace Rdmarun.Rdma;

public enum RdmaCharDeviceKind { Uverbs, Umad, Issm, RdmaCm }

/// <summary>
/// A character device under /dev/infiniband. <see cref="IbDevice"/> is null for rdma_cm, which is global;
/// <see cref="Port"/> is set for umad/issm, which exist per port.
/// </summary>
public sealed record RdmaCharDevice(
    RdmaCharDeviceKind Kind,
    string Name,
    int Major,
    int Minor,
    string? IbDevice,
    int? Port)
{
    /// <summary>The node path, the same on the host and in the container.</summary>
    public string Path => "/dev/infiniband/" + Name;

    /// <summary>Known numbers when sysfs is unavailable; rdma_cm's minor is dynamic, 57 is only the usual value.</summary>
    public const int InfinibandMajor = 231;
    public const int UverbsMinorBase = 192;
    public const int IssmMinorBase = 64;
    public const int MiscMajor = 10;
}
