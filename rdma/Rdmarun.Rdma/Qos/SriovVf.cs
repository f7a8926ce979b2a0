namespace Rdmarun.Rdma.Qos;

/// <summary>An SR-IOV virtual function's netdev and the physical function that configures it.</summary>
public sealed record SriovVf(string PfNetdev, uint VfIndex);

/// <summary>
/// Finds whether a netdev is an SR-IOV VF, from sysfs: a VF's PCI device has a <c>physfn</c> link; the PF's
/// device lists its VFs as <c>virtfnN</c> links, N being the number the PF's netlink VF attributes take.
/// The root is injectable so fixtures stand in for hardware.
/// </summary>
public static class SriovVfLocator
{
    public static SriovVf? Find(string netdev, string sysRoot = "/sys")
    {
        var device = Path.Combine(sysRoot, "class/net", netdev, "device");
        var physfn = Path.Combine(device, "physfn");
        if (!Directory.Exists(physfn)) return null;
        var vfPci = Resolve(device);
        var pfNet = Path.Combine(physfn, "net");
        var pf = Directory.Exists(pfNet) ? Directory.GetDirectories(pfNet).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).FirstOrDefault() : null;
        if (pf is null) return null;
        foreach (var link in Directory.GetFileSystemEntries(physfn, "virtfn*"))
        {
            if (!uint.TryParse(Path.GetFileName(link)["virtfn".Length..], out var n)) continue;
            if (Resolve(link) == vfPci) return new SriovVf(pf, n);
        }
        return null;
    }

    /// <summary>The PCI address a device link points to (its last path component).</summary>
    static string Resolve(string link)
    {
        var target = new DirectoryInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(link);
        return Path.GetFileName(target.TrimEnd('/'));
    }
}
