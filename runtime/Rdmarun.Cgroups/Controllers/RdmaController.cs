using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.rdma → rdma.max lines "dev hca_handle=N hca_object=M" (same file in v1 and v2).</summary>
public static class RdmaController
{
    public const string NotAvailable = "cgroup: rdma controller not available on this host, cannot apply linux.resources.rdma";

    public static bool Requested(Dictionary<string, LinuxRdma>? r) => r is { Count: > 0 };

    /// <summary>The rdma.max line for one device; an absent limit is written as "max" (no limit).</summary>
    public static string Line(string device, LinuxRdma limit) =>
        $"{device} hca_handle={limit.HcaHandles?.ToString() ?? "max"} hca_object={limit.HcaObjects?.ToString() ?? "max"}";

    public static void Set(string dir, Dictionary<string, LinuxRdma> limits)
    {
        // Sorted so the write order (and any error) is the same on every run.
        foreach (var (device, limit) in limits.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (device.Length == 0 || device.Any(char.IsWhiteSpace))
                throw new CgroupException($"cgroup: invalid rdma device name \"{device}\" in linux.resources.rdma");
            // The kernel takes one device per write and rejects unknown devices with EINVAL.
            CgroupFile.Write(dir, "rdma.max", Line(device, limit));
        }
    }
}
