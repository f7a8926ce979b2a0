using System.Net;
using System.Text;

namespace Rdmarun.Rdma.Roce;

/// <summary>
/// A RoCE netdev made for the container: a macvlan, ipvlan or VLAN child of the RDMA device's netdev (or of a
/// host netdev the policy lists), created in the container's network namespace, so that the container's GIDs and
/// rdma_cm follow its own addresses. Asked for by annotation; the policy must allow the kind.
/// </summary>
public sealed record RoceChildRequest(string Kind, ushort VlanId, string? Link, string Name, IReadOnlyList<string> Addresses)
{
    public const string KindAnnotation = "org.rdmarun.rdma.netdev";
    public const string LinkAnnotation = "org.rdmarun.rdma.netdev.link";
    public const string NameAnnotation = "org.rdmarun.rdma.netdev.name";
    public const string AddressesAnnotation = "org.rdmarun.rdma.netdev.addresses";
    public const string DefaultName = "roce0";
    public static readonly string[] Kinds = ["macvlan", "ipvlan", "vlan"];

    /// <summary>Null when the annotations ask for no child. Every refusal here comes before anything exists.</summary>
    public static RoceChildRequest? Parse(IReadOnlyDictionary<string, string>? annotations, RdmaPolicy policy)
    {
        annotations ??= new Dictionary<string, string>();
        if (!annotations.TryGetValue(KindAnnotation, out var spec))
        {
            foreach (var k in new[] { LinkAnnotation, NameAnnotation, AddressesAnnotation })
                if (annotations.ContainsKey(k)) throw new RoceChildException($"annotation {k}: it describes the device {KindAnnotation} asks for, and {KindAnnotation} is not set");
            return null;
        }
        var parts = spec.Split(':');
        var kind = parts[0];
        ushort vlan = 0;
        if (!Kinds.Contains(kind) || (kind == "vlan") != (parts.Length == 2) || parts.Length > 2
            || (kind == "vlan" && (!ushort.TryParse(parts[1], out vlan) || vlan is 0 or > 4094)))
            throw new RoceChildException($"annotation {KindAnnotation}: \"{spec}\" is not macvlan, ipvlan or vlan:ID with an id 1-4094");
        if (policy.NetdevChildren is not { } allowed || !allowed.Contains(kind))
            throw new RoceChildException(
                $"annotation {KindAnnotation}={spec}: the policy does not allow {kind} devices for containers (netdevChildren: [{string.Join(", ", policy.NetdevChildren ?? [])}], {policy.Source})");

        string? link = annotations.GetValueOrDefault(LinkAnnotation);
        if (link is not null)
        {
            CheckName(link, LinkAnnotation);
            if (policy.NetdevLinks is not { } links || !links.Contains(link))
                throw new RoceChildException(
                    $"annotation {LinkAnnotation}={link}: the policy does not list {link} as a parent for container devices (netdevLinks: [{string.Join(", ", policy.NetdevLinks ?? [])}], {policy.Source}); without this annotation the parent is the granted RDMA device's netdev");
        }
        var name = annotations.GetValueOrDefault(NameAnnotation) ?? DefaultName;
        CheckName(name, NameAnnotation);

        var addresses = new List<string>();
        if (annotations.TryGetValue(AddressesAnnotation, out var list))
            foreach (var a in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var slash = a.LastIndexOf('/');
                if (slash < 0 || !IPAddress.TryParse(a[..slash], out var ip) || !byte.TryParse(a[(slash + 1)..], out var prefix)
                    || prefix > (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                    throw new RoceChildException($"annotation {AddressesAnnotation}: \"{a}\" is not an address with a prefix length (e.g. 10.0.0.5/24, fd00::5/64)");
                addresses.Add($"{ip}/{prefix}");
            }
        return new RoceChildRequest(kind, vlan, link, name, addresses);
    }

    /// <summary>
    /// The parent when no link was named: the netdev behind the one granted RDMA device (RoCE: the netdev of port
    /// 1's GID 0, /sys/class/infiniband/DEV/ports/1/gid_attrs/ndevs/0).
    /// </summary>
    public string ResolveLink(IReadOnlyList<string> grantedDevices, string sysRoot = "/")
    {
        if (Link is not null) return Link;
        if (grantedDevices.Count != 1)
            throw new RoceChildException(
                $"annotation {KindAnnotation}: the parent is the granted RDMA device's netdev, and {(grantedDevices.Count == 0 ? "no device is granted" : $"{grantedDevices.Count} are granted ({string.Join(", ", grantedDevices)})")}: grant one or name the parent with {LinkAnnotation}");
        var dev = grantedDevices[0];
        var path = Path.Combine(sysRoot, "sys/class/infiniband", dev, "ports/1/gid_attrs/ndevs/0");
        string? ndev = null;
        try { ndev = File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* InfiniBand: no netdev */ }
        if (string.IsNullOrEmpty(ndev))
            throw new RoceChildException($"annotation {KindAnnotation}: RDMA device {dev} has no netdev (not RoCE: {path} unreadable): an InfiniBand port has no Ethernet device to make a child of");
        return ndev;
    }

    static void CheckName(string name, string annotation)
    {
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > 15 || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)) || name is "." or "..")
            throw new RoceChildException($"annotation {annotation}: \"{name}\" is not a network device name (1-15 bytes, no '/', ':' or blanks)");
    }
}

public sealed class RoceChildException(string message) : Exception(message);
