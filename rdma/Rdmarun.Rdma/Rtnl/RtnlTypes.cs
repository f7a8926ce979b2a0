using System.Net;

namespace Rdmarun.Rdma.Rtnl;

/// <summary>A network device as RTM_GETLINK reports it; <see cref="Mac"/> is IFLA_ADDRESS as aa:bb:..., it tells a
/// device that came back from one that merely has the same name. <see cref="Kind"/> is IFLA_INFO_KIND ("veth", "dummy",
/// "macvlan"...); null for a physical device, which the kernel hands back to the host when a netns dies.</summary>
public sealed record RtnlLink(int Index, string Name, uint Flags, string? Kind, string? Mac = null)
{
    public bool IsUp => (Flags & Rtnl.IffUp) != 0;
}

/// <summary>One interface address (struct ifaddrmsg + IFA_LOCAL/IFA_ADDRESS/IFA_BROADCAST).</summary>
public sealed record RtnlAddress(byte Family, byte PrefixLength, byte Flags, byte Scope, int Index, byte[]? Local, byte[]? Address, byte[]? Broadcast)
{
    /// <summary>"10.0.0.1/24": the local address for IPv4 (IFA_LOCAL), the address for IPv6.</summary>
    public override string ToString() => $"{new IPAddress(Local ?? Address ?? [])}/{PrefixLength}";

    /// <summary>
    /// Whether moving the device must re-add it: a netns move flushes every address. IPv6 link-local and
    /// autoconfigured (non-permanent) ones the kernel makes again by itself.
    /// </summary>
    public bool Restorable => (Flags & Rtnl.IfaFPermanent) != 0 && !(Family == Rtnl.AfInet6 && Scope == Rtnl.ScopeLink);

    /// <summary>Parses "10.0.0.1/24" or "fd00::1/64" (the form saved in the container's record).</summary>
    public static RtnlAddress Parse(string text, int index)
    {
        var slash = text.LastIndexOf('/');
        var ip = IPAddress.Parse(text[..slash]);
        var prefix = byte.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = ip.GetAddressBytes();
        var v4 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        return new RtnlAddress(v4 ? Rtnl.AfInet : Rtnl.AfInet6, prefix, Rtnl.IfaFPermanent, 0, index,
            v4 ? bytes : null, bytes, v4 && prefix < 31 ? BroadcastOf(bytes, prefix) : null);
    }

    static byte[] BroadcastOf(byte[] addr, int prefix)
    {
        var host = prefix == 0 ? uint.MaxValue : (1u << (32 - prefix)) - 1;
        var a = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(addr) | host;
        var b = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, a);
        return b;
    }
}
