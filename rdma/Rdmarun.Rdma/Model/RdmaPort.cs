namespace Rdmarun.Rdma;

public enum RdmaLinkLayer { Unknown, InfiniBand, Ethernet }

/// <summary>A non-zero entry of ports/&lt;p&gt;/gids/&lt;n&gt;, with the netdev it belongs to on RoCE.</summary>
public sealed record RdmaGid(int Index, string Value, string? NetDevice);

/// <summary>One port of an RDMA device as sysfs shows it (Documentation/ABI/stable/sysfs-class-infiniband).</summary>
public sealed record RdmaPort(
    int Number,
    int StateCode,
    string State,
    int PhysStateCode,
    string PhysState,
    RdmaLinkLayer LinkLayer,
    string? Rate,
    int? Lid,
    IReadOnlyList<RdmaGid> Gids,
    IReadOnlyList<PkeyEntry> Pkeys,
    IReadOnlyList<string> NetDevices)
{
    public bool IsActive => StateCode == 4;

    /// <summary>The used (non-empty) P_Key slots.</summary>
    public IEnumerable<PkeyEntry> UsedPkeys => Pkeys.Where(p => !p.IsEmpty);
}
