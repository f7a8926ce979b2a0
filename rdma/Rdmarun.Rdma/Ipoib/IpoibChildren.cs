using System.Globalization;
using System.Text;

namespace Rdmarun.Rdma.Ipoib;

/// <summary>One IPoIB child to make: partition <see cref="Pkey"/> on <see cref="Parent"/>, the netdev of port <see cref="Port"/> of <see cref="Device"/>.</summary>
public sealed record IpoibChild(string Device, int Port, string Parent, ushort Pkey, string Name);

/// <summary>
/// The InfiniBand side of the P_Key grant: with org.rdmarun.rdma.ipoib=true the container gets one IPoIB child per
/// allowed P_Key on each InfiniBand port of its granted devices, made in its network namespace (so its IP traffic
/// stays in the partitions it may use). Opt-in: a container that did not ask gets none (it may not want a netdev,
/// or may not have a netns of its own). Names follow the kernel's own for IPoIB children: &lt;parent&gt;.&lt;pkey&gt;
/// with the full-member bit set, as `echo 0x8001 &gt; create_child` would name it (ib0.8001). Every refusal here
/// comes before anything exists.
/// </summary>
public static class IpoibChildren
{
    public const string Annotation = "org.rdmarun.rdma.ipoib";

    /// <summary>ARPHRD_INFINIBAND, /sys/class/net/&lt;dev&gt;/type of an IPoIB netdev.</summary>
    const int ArphrdInfiniband = 32;

    /// <summary>Whether the annotation asks for children: "true" or "false" (absent = false); anything else is refused.</summary>
    public static bool Asked(IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations?.GetValueOrDefault(Annotation) is not { } v) return false;
        return v.Trim() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new IpoibException($"annotation {Annotation}: \"{v}\" is not true or false"),
        };
    }

    /// <summary>
    /// The children for <paramref name="granted"/> (device, allowed P_Keys: null = unrestricted). Refused: nothing
    /// granted, no InfiniBand port, an InfiniBand port with no allowance (there is no list to make children
    /// for), a port whose IPoIB netdev cannot be found in sysfs, a name over 15 bytes.
    /// </summary>
    public static IReadOnlyList<IpoibChild> Plan(IEnumerable<(RdmaDevice Device, IReadOnlyList<ushort>? Pkeys)> granted, string sysRoot = "/")
    {
        var list = granted.ToList();
        if (list.Count == 0)
            throw new IpoibException($"annotation {Annotation}: no RDMA device is granted to make IPoIB devices on");
        var ib = list.Where(g => g.Device.Ports.Any(p => p.LinkLayer == RdmaLinkLayer.InfiniBand)).ToList();
        if (ib.Count == 0)
            throw new IpoibException($"annotation {Annotation}: none of the granted devices ({string.Join(", ", list.Select(g => g.Device.Name))}) has an InfiniBand port; IPoIB needs one (a RoCE port's netdev child is org.rdmarun.rdma.netdev)");

        var children = new List<IpoibChild>();
        foreach (var (device, pkeys) in ib)
        {
            if (pkeys is null)
                throw new IpoibException($"annotation {Annotation}: device {device.Name} has no p_key allowance (org.rdmarun.rdma.pkeys, RDMA_PKEYS or the policy's pkeys for it): rdmarun makes one IPoIB device per allowed p_key");
            foreach (var port in device.Ports.Where(p => p.LinkLayer == RdmaLinkLayer.InfiniBand))
            {
                var parent = Parent(device, port, sysRoot);
                foreach (var key in pkeys.Distinct())
                {
                    var name = parent + "." + ((ushort)(key | 0x8000)).ToString("x4", CultureInfo.InvariantCulture);
                    if (Encoding.UTF8.GetByteCount(name) > 15)
                        throw new IpoibException($"annotation {Annotation}: the IPoIB device for p_key {Rdma.Pkey.Format(key)} on {parent} would be named {name}, longer than the kernel's 15 bytes");
                    children.Add(new IpoibChild(device.Name, port.Number, parent, key, name));
                }
            }
        }
        return children;
    }

    /// <summary>
    /// The port's IPoIB netdev: the port's ndevs when sysfs lists one, else the device's PCI function's netdevs
    /// (device/net) whose dev_port is the port number - 1 (ipoib sets it so) and whose type is ARPHRD_INFINIBAND,
    /// where those files exist. Exactly one must remain.
    /// </summary>
    static string Parent(RdmaDevice device, RdmaPort port, string sysRoot)
    {
        if (port.NetDevices.Count == 1) return port.NetDevices[0];
        var netDir = Path.Combine(sysRoot, "sys/class/infiniband", device.Name, "device/net");
        var candidates = new List<string>();
        if (Directory.Exists(netDir))
            foreach (var n in Directory.EnumerateFileSystemEntries(netDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
            {
                var devPort = ReadInt(Path.Combine(netDir, n, "dev_port"));
                var type = ReadInt(Path.Combine(netDir, n, "type"));
                if (devPort is { } dp && dp != port.Number - 1) continue;
                if (type is { } t && t != ArphrdInfiniband) continue;
                candidates.Add(n);
            }
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new IpoibException($"annotation {Annotation}: device {device.Name} port {port.Number} has no IPoIB network device (none in {netDir} with dev_port {port.Number - 1}; is ib_ipoib loaded?)"),
            _ => throw new IpoibException($"annotation {Annotation}: device {device.Name} port {port.Number} has more than one candidate IPoIB network device ({string.Join(", ", candidates)})"),
        };
    }

    static int? ReadInt(string path)
    {
        try { return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}

public sealed class IpoibException(string message) : Exception(message);
