using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>A device node to create in the container (mknod type c, mode 0666: access is gated by the device cgroup).</summary>
public sealed record RdmaDeviceNode(string Path, char Type, int Major, int Minor, uint FileMode)
{
    public const uint DefaultMode = 0x1B6; // 0666
}

/// <summary>A device-cgroup allow rule, e.g. "c 231:192 rwm".</summary>
public sealed record RdmaDeviceRule(char Type, int Major, int Minor, string Access)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Type} {Major}:{Minor} {Access}");
}

/// <summary>One rdma.max line; null means "max".</summary>
public sealed record RdmaMaxEntry(string Device, uint? HcaHandles, uint? HcaObjects)
{
    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"{Device} hca_handle={HcaHandles?.ToString(CultureInfo.InvariantCulture) ?? "max"} hca_object={HcaObjects?.ToString(CultureInfo.InvariantCulture) ?? "max"}");
}

/// <summary>
/// A device the container gets. <see cref="Pkeys"/> is the allow-list for later enforcement (mlx4 pkey_idx, IPoIB
/// children); null means unrestricted.
/// </summary>
public sealed record RdmaGrantedDevice(string Name, RdmaDevice Device, IReadOnlyList<ushort>? Pkeys, bool Umad, bool Issm);

/// <summary>
/// The outcome of <see cref="RdmaPlanner.Plan"/>: everything the runtime must do for RDMA, with no side effects
/// taken yet.
/// </summary>
public sealed record RdmaGrant
{
    /// <summary>False when the container asked for nothing RDMA; the lists still say what to hide in shared mode.</summary>
    public bool Requested { get; init; }
    public IReadOnlyList<RdmaGrantedDevice> Devices { get; init; } = [];
    public IReadOnlyList<RdmaDeviceNode> DeviceNodes { get; init; } = [];
    public IReadOnlyList<RdmaDeviceRule> DeviceRules { get; init; } = [];
    public IReadOnlyList<RdmaMaxEntry> RdmaMax { get; init; } = [];

    /// <summary>RLIMIT_MEMLOCK soft and hard value; null leaves the spec's rlimits alone.</summary>
    public ulong? Memlock { get; init; }

    /// <summary>
    /// Absolute container paths under /sys/class and /dev/infiniband to mask in shared netns mode: every
    /// device, node and MAD entry not granted.
    /// </summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];

    /// <summary>
    /// mlx4 VF ports whose P_Key mapping the runtime must rewrite (and restore on delete) for the P_Key check to
    /// hold; empty unless a granted mlx4 VF exposes a key the container may not use.
    /// </summary>
    public IReadOnlyList<Mlx4PkeyRemap> PkeyRemaps { get; init; } = [];

    /// <summary>Things that did not block the grant but a user should hear about (missing uverbs node...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
