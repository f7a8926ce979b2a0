namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// Moves RDMA devices between network namespaces by name (exclusive netns mode). Device names are system-wide,
/// indexes are looked up per move because a device keeps its index but may be re-registered.
/// </summary>
public static class RdmaDeviceMover
{
    /// <summary>
    /// Moves <paramref name="deviceName"/>, looked up through <paramref name="client"/> (whose socket must be in
    /// the netns that currently holds the device), into the netns of <paramref name="targetNetnsFd"/>.
    /// </summary>
    public static void Move(NldevClient client, string deviceName, int targetNetnsFd, string? driver = null,
        string destination = "the container's network namespace")
    {
        var devices = client.GetDevices();
        var device = devices.FirstOrDefault(d => string.Equals(d.Name, deviceName, StringComparison.Ordinal))
            ?? throw new RdmaNetlinkException(
                $"rdma: cannot move device {deviceName} into {destination}: it is not in this network namespace (visible: {(devices.Count == 0 ? "none" : string.Join(", ", devices.Select(d => d.Name)))})",
                Errno.ENODEV);
        client.MoveDevice(device.Index, deviceName, driver ?? RdmaDevice.DriverFromName(deviceName), targetNetnsFd, destination);
    }

    /// <summary>Whether the device is visible through <paramref name="client"/>'s netns: the check that a move back worked.</summary>
    public static bool IsVisible(NldevClient client, string deviceName) => client.FindDevice(deviceName) is not null;
}
