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

    /// <summary>
    /// Waits until every device is visible in the initial netns (the kernel returns a destroyed
    /// netns's devices asynchronously). Returns the names still missing at the timeout (empty:
    /// all back); callers word the failure for their context.
    /// </summary>
    public static IReadOnlyList<string> WaitReturned(IReadOnlyList<string> devices, TimeSpan timeout)
        => WaitReturned(devices, timeout, NetlinkRdmaSocket.Open);

    /// <summary>As above, through a socket from <paramref name="openHost"/> (one in the initial netns).</summary>
    public static IReadOnlyList<string> WaitReturned(IReadOnlyList<string> devices, TimeSpan timeout, Func<INetlinkTransport> openHost)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var socket = openHost();
        var host = new NldevClient(socket);
        while (true)
        {
            var missing = devices.Where(d => !IsVisible(host, d)).ToList();
            if (missing.Count == 0 || DateTime.UtcNow > deadline) return missing;
            Thread.Sleep(50);
        }
    }
}
