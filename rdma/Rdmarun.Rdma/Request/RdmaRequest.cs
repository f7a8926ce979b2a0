namespace Rdmarun.Rdma;

public enum RdmaDeviceSelection
{
    /// <summary>Nothing asked for RDMA devices.</summary>
    Unspecified,
    /// <summary>"none" (or "void"): explicitly no RDMA.</summary>
    None,
    /// <summary>"all": every present device the policy allows.</summary>
    All,
    /// <summary>The names in <see cref="RdmaRequest.Devices"/>.</summary>
    Listed,
}

/// <summary>Management datagram access: umad (raw MADs) and issm (subnet-manager capability).</summary>
public enum RdmaMadAccess { None, Umad, UmadAndIssm }

/// <summary>One linux.resources.rdma entry (runtime-spec config-linux.md); null = no limit.</summary>
public sealed record RdmaLimit(uint? HcaHandles, uint? HcaObjects);

/// <summary>A requested P_Key; <see cref="Device"/> null applies it to every granted device.</summary>
public sealed record RequestedPkey(string? Device, ushort Value)
{
    public override string ToString() => Device is null ? Pkey.Format(Value) : $"{Device}:{Pkey.Format(Value)}";
}

/// <summary>What a container asks for, gathered from the spec, its annotations and its environment.</summary>
public sealed record RdmaRequest
{
    public RdmaDeviceSelection Selection { get; init; }
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>Where the device list came from, for messages ("annotation org.rdmarun.rdma.devices").</summary>
    public string DevicesSource { get; init; } = "";

    /// <summary>linux.resources.rdma, by device name.</summary>
    public IReadOnlyDictionary<string, RdmaLimit> Limits { get; init; } = new Dictionary<string, RdmaLimit>();

    /// <summary>org.rdmarun.rdma.hca-handles / hca-objects: for every granted device without a spec entry.</summary>
    public uint? HcaHandles { get; init; }
    public uint? HcaObjects { get; init; }

    public IReadOnlyList<RequestedPkey> Pkeys { get; init; } = [];
    public string PkeysSource { get; init; } = "";
    public RdmaMadAccess Mad { get; init; }

    /// <summary>org.rdmarun.rdma.memlock in bytes (<see cref="Memlock.Unlimited"/> for "unlimited").</summary>
    public ulong? Memlock { get; init; }

    public static RdmaRequest Empty { get; } = new();

    /// <summary>Whether the container asked for anything RDMA at all.</summary>
    public bool IsEmpty => Selection == RdmaDeviceSelection.Unspecified && Limits.Count == 0 && Pkeys.Count == 0
        && Mad == RdmaMadAccess.None && HcaHandles is null && HcaObjects is null && Memlock is null;
}
