using Microsoft.Win32.SafeHandles;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.RdmaHook;

/// <summary>The device moves of exclusive netns mode, each checked from the receiving netns.</summary>
public static class Moves
{
    public static void IntoContainer(IReadOnlyList<string> devices, int pid)
    {
        var nsPath = $"/proc/{pid}/ns/net";
        using (var probe = NetlinkRdmaSocket.Open())
            if (new NldevClient(probe).GetNetnsMode() == RdmaNetnsMode.Shared) return; // every netns sees every device
        if (new FileInfo(nsPath).LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget) return; // host network

        using var ns = File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
        int fd = (int)ns.DangerousGetHandle();
        var moved = new List<string>();
        try
        {
            using (var hostSocket = NetlinkRdmaSocket.Open())
            {
                var host = new NldevClient(hostSocket);
                foreach (var name in devices)
                {
                    RdmaDeviceMover.Move(host, name, fd);
                    moved.Add(name);
                }
            }
            using var inside = NetlinkRdmaSocket.OpenInNetns(fd);
            var client = new NldevClient(inside);
            foreach (var name in moved)
                if (!RdmaDeviceMover.IsVisible(client, name))
                    throw new HookException($"rdma: device {name} was moved but is not visible in the container's network namespace ({nsPath})");
        }
        catch
        {
            try { MoveBack(fd, moved); } catch (Exception) { /* the first failure says more */ }
            throw;
        }
    }

    static void MoveBack(int containerNetnsFd, IReadOnlyList<string> devices)
    {
        if (devices.Count == 0) return;
        using var hostNs = File.OpenHandle("/proc/self/ns/net", FileMode.Open, FileAccess.Read);
        using var inside = NetlinkRdmaSocket.OpenInNetns(containerNetnsFd);
        var client = new NldevClient(inside);
        foreach (var name in devices)
            if (RdmaDeviceMover.IsVisible(client, name))
                RdmaDeviceMover.Move(client, name, (int)hostNs.DangerousGetHandle(), destination: "the host network namespace");
        WaitReturned(devices, TimeSpan.FromSeconds(10));
    }

    public static void WaitReturned(IReadOnlyList<string> devices, TimeSpan timeout)
    {
        var missing = RdmaDeviceMover.WaitReturned(devices, timeout);
        if (missing.Count > 0)
            throw new HookException($"rdma: {string.Join(", ", missing)} did not return to the host network namespace within {timeout.TotalSeconds:0} s (a process or mount still holds the container's network namespace)");
    }
}
