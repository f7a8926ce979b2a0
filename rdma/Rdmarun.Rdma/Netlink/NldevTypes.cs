using System.Globalization;

namespace Rdmarun.Rdma.Netlink;

/// <summary>RDMA_NLDEV_SYS_ATTR_NETNS_MODE: 1 shared (every device in every netns), 0 exclusive.</summary>
public enum RdmaNetnsMode : byte { Exclusive = 0, Shared = 1 }

/// <summary>One RDMA_NLDEV_CMD_GET reply.</summary>
public sealed record NldevDevice(
    uint Index,
    string Name,
    uint PortCount,
    ulong? NodeGuid,
    string? FirmwareVersion,
    byte? NodeType,
    string? Protocol)
{
    public string? NodeGuidText => NodeGuid is { } g ? NldevFormat.Guid(g) : null;
}

/// <summary>One RDMA_NLDEV_CMD_PORT_GET reply.</summary>
public sealed record NldevPort(
    uint DeviceIndex,
    string DeviceName,
    uint Port,
    byte? State,
    byte? PhysState,
    uint? Lid,
    uint? NetDeviceIndex,
    string? NetDeviceName);

/// <summary>An RDMA_NLDEV_CMD_GET_CHARDEV reply: the node name, numbers and ABI version.</summary>
public sealed record NldevCharDevice(string Name, int Major, int Minor, ulong? Abi);

public static class NldevFormat
{
    /// <summary>0x0002c90300317e30 → "0002:c903:0031:7e30", the sysfs node_guid form.</summary>
    public static string Guid(ulong g)
        => string.Create(CultureInfo.InvariantCulture, $"{g >> 48:x4}:{(g >> 32) & 0xffff:x4}:{(g >> 16) & 0xffff:x4}:{g & 0xffff:x4}");

    /// <summary>Decodes the kernel's huge_encode_dev() value as glibc's major()/minor() do.</summary>
    public static (int Major, int Minor) DecodeDev(ulong dev)
        => ((int)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL)), (int)((dev & 0xff) | ((dev >> 12) & ~0xffUL)));

    public static ulong EncodeDev(int major, int minor)
        => ((ulong)minor & 0xff) | ((ulong)major << 8) | (((ulong)minor & ~0xffUL) << 12);
}
