using System.Text.Json;

namespace Rdmarun.Rdma;

/// <summary>
/// Per-device settings. Null members fall back to the policy-wide value; a null <see cref="Pkeys"/> allows
/// every P_Key.
/// </summary>
public sealed record RdmaDevicePolicy(
    IReadOnlyList<ushort>? Pkeys = null,
    bool? Mad = null,
    bool? Sm = null,
    uint? DefaultHcaHandles = null,
    uint? DefaultHcaObjects = null,
    uint? MaxHcaHandles = null,
    uint? MaxHcaObjects = null);

/// <summary>
/// What the host operator allows containers to get, loaded from /etc/rdmarun/rdma.json:
/// <code>
/// { "devices": { "mlx5_0": { "pkeys": ["0x8001"], "maxHcaHandles": 8 }, "*": {} },
///   "mad": false, "sm": false, "defaultHcaHandles": 4, "defaultHcaObjects": 10000,
///   "maxHcaHandles": 64, "maxHcaObjects": 1000000, "memlock": "unlimited", "maxMemlock": "unlimited" }
/// </code>
/// Without "devices" every present device is allowed; with it, only the names listed ("*" matches any).
/// </summary>
public sealed class RdmaPolicy
{
    public const string DefaultPath = "/etc/rdmarun/rdma.json";

    /// <summary>Where the policy came from, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>Null: every device is allowed with the policy-wide settings.</summary>
    public IReadOnlyDictionary<string, RdmaDevicePolicy>? Devices { get; init; }

    public bool Mad { get; init; }
    public bool Sm { get; init; }
    public uint? DefaultHcaHandles { get; init; }
    public uint? DefaultHcaObjects { get; init; }
    public uint? MaxHcaHandles { get; init; }
    public uint? MaxHcaObjects { get; init; }

    /// <summary>RLIMIT_MEMLOCK for containers granted RDMA; ibv_reg_mr needs locked memory.</summary>
    public ulong Memlock { get; init; } = Rdma.Memlock.Unlimited;

    /// <summary>The highest RLIMIT_MEMLOCK a request may ask for; null = no cap.</summary>
    public ulong? MaxMemlock { get; init; }

    /// <summary>Highest transmit rate (bit/s) a container may ask for with org.rdmarun.rdma.rate; null = no cap.</summary>
    public ulong? MaxRate { get; init; }

    /// <summary>The rate a container gets when it asks for none; null = unlimited.</summary>
    public ulong? DefaultRate { get; init; }

    /// <summary>VLAN ids a container may ask for on an SR-IOV VF; null = any.</summary>
    public IReadOnlyList<ushort>? Vlans { get; init; }

    /// <summary>Highest 802.1p priority a container may ask for; null = any (0-7).</summary>
    public byte? MaxPriority { get; init; }

    /// <summary>Kinds of RoCE child netdev (macvlan, ipvlan, vlan) rdmarun may create for a container; null = none.</summary>
    public IReadOnlyList<string>? NetdevChildren { get; init; }

    /// <summary>Host netdevs a container may name as the parent of its child; null = only its granted RDMA device's netdev.</summary>
    public IReadOnlyList<string>? NetdevLinks { get; init; }

    /// <summary>
    /// Host netdevs that may get a container's rate cap when the container shares the host's network namespace
    /// (RDMA shared mode, as MPI jobs run): each backs one RDMA device the administrator gives to one container at
    /// a time, so a qdisc on it holds that container's soft-RoCE traffic. Null = none: on a shared port the cap
    /// would hold every tenant.
    /// </summary>
    public IReadOnlyList<string>? HostNetdevs { get; init; }

    /// <summary>
    /// Used when the policy file does not exist: every device, any P_Key, no MAD access, no limits. This grants
    /// no more than the host already does: in shared mode every local user can open /dev/infiniband/uverbs*.
    /// </summary>
    public static RdmaPolicy Default(string path = DefaultPath) => new() { Source = $"{path} (absent: built-in defaults)" };

    /// <summary>Exact name, then "*"; null when the device is not allowed.</summary>
    public RdmaDevicePolicy? ForDevice(string name)
    {
        if (Devices is null) return new RdmaDevicePolicy();
        if (Devices.TryGetValue(name, out var p)) return p;
        return Devices.TryGetValue("*", out var any) ? any : null;
    }

    public IEnumerable<string> AllowedNames => Devices is null ? ["*"] : Devices.Keys.Order(StringComparer.Ordinal);

    public bool MadAllowed(RdmaDevicePolicy d) => d.Mad ?? Mad;
    public bool SmAllowed(RdmaDevicePolicy d) => d.Sm ?? Sm;
    public uint? MaxHandles(RdmaDevicePolicy d) => d.MaxHcaHandles ?? MaxHcaHandles;
    public uint? MaxObjects(RdmaDevicePolicy d) => d.MaxHcaObjects ?? MaxHcaObjects;
    public uint? DefaultHandles(RdmaDevicePolicy d) => d.DefaultHcaHandles ?? DefaultHcaHandles;
    public uint? DefaultObjects(RdmaDevicePolicy d) => d.DefaultHcaObjects ?? DefaultHcaObjects;

    /// <summary>Reads the policy file; a missing file gives <see cref="Default"/>.</summary>
    public static RdmaPolicy Load(string path = DefaultPath)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (FileNotFoundException) { return Default(path); }
        catch (DirectoryNotFoundException) { return Default(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RdmaPolicyException($"rdma: cannot read policy {path}: {e.Message}");
        }
        return Parse(json, path);
    }

    public static RdmaPolicy Parse(string json, string source)
    {
        RdmaPolicyJson? raw;
        try
        {
            raw = JsonSerializer.Deserialize(json, RdmaPolicyJsonContext.Default.RdmaPolicyJson);
        }
        catch (JsonException e)
        {
            throw new RdmaPolicyException($"rdma: policy {source}: invalid at {e.Path ?? "$"}: {Describe(e)}");
        }
        if (raw is null) throw new RdmaPolicyException($"rdma: policy {source}: the document is null");

        Dictionary<string, RdmaDevicePolicy>? devices = null;
        if (raw.Devices is not null)
        {
            devices = new Dictionary<string, RdmaDevicePolicy>(StringComparer.Ordinal);
            foreach (var (name, d) in raw.Devices)
            {
                if (d is null) throw new RdmaPolicyException($"rdma: policy {source}: $.devices.{name} is null");
                devices[name] = new RdmaDevicePolicy(ParsePkeys(d.Pkeys, source, name), d.Mad, d.Sm,
                    d.DefaultHcaHandles, d.DefaultHcaObjects, d.MaxHcaHandles, d.MaxHcaObjects);
            }
        }

        var policy = new RdmaPolicy
        {
            Source = source,
            Devices = devices,
            Mad = raw.Mad ?? false,
            Sm = raw.Sm ?? false,
            DefaultHcaHandles = raw.DefaultHcaHandles,
            DefaultHcaObjects = raw.DefaultHcaObjects,
            MaxHcaHandles = raw.MaxHcaHandles,
            MaxHcaObjects = raw.MaxHcaObjects,
            Memlock = ParseMemlock(raw.Memlock, source, "memlock") ?? Rdma.Memlock.Unlimited,
            MaxMemlock = ParseMemlock(raw.MaxMemlock, source, "maxMemlock"),
            MaxRate = ParseRate(raw.MaxRate, source, "maxRate"),
            DefaultRate = ParseRate(raw.DefaultRate, source, "defaultRate"),
            Vlans = raw.Vlans,
            MaxPriority = raw.MaxPriority is > 7 ? throw new RdmaPolicyException($"rdma: policy {source}: $.maxPriority: {raw.MaxPriority} is not 0-7") : raw.MaxPriority,
            NetdevChildren = raw.NetdevChildren?.Select(k => Roce.RoceChildRequest.Kinds.Contains(k) ? k
                : throw new RdmaPolicyException($"rdma: policy {source}: $.netdevChildren: \"{k}\" is not macvlan, ipvlan or vlan")).ToList(),
            NetdevLinks = raw.NetdevLinks,
            HostNetdevs = raw.HostNetdevs,
        };
        if (policy.DefaultRate > policy.MaxRate)
            throw new RdmaPolicyException($"rdma: policy {source}: $.defaultRate {raw.DefaultRate} is above $.maxRate {raw.MaxRate}");
        return policy;
    }

    static ulong? ParseRate(string? text, string source, string key)
    {
        if (text is null) return null;
        return Qos.Rate.TryParse(text, out var bits) ? bits
            : throw new RdmaPolicyException($"rdma: policy {source}: $.{key}: \"{text}\" is not a rate (e.g. 10gbit, 500mbit)");
    }

    static List<ushort>? ParsePkeys(List<string>? pkeys, string source, string device)
    {
        if (pkeys is null) return null;
        var list = new List<ushort>();
        for (var i = 0; i < pkeys.Count; i++)
        {
            if (!Pkey.TryParse(pkeys[i], out var value))
                throw new RdmaPolicyException($"rdma: policy {source}: $.devices.{device}.pkeys[{i}]: \"{pkeys[i]}\" is not a 16-bit hex p_key");
            list.Add(value);
        }
        return list;
    }

    static ulong? ParseMemlock(JsonElement? element, string source, string key)
    {
        if (element is not { } e || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var n)) return n;
        if (e.ValueKind == JsonValueKind.String && Rdma.Memlock.TryParse(e.GetString(), out var s)) return s;
        throw new RdmaPolicyException($"rdma: policy {source}: $.{key}: {e.GetRawText()} is neither \"unlimited\" nor a byte count");
    }

    /// <summary>STJ's texts name .NET types; say what the file should contain instead.</summary>
    static string Describe(JsonException e)
    {
        var m = e.Message;
        // The second forms are the bare resource keys of the NativeAOT binary (UseSystemResourceKeys).
        if (m.Contains("could not be mapped", StringComparison.Ordinal) || m.StartsWith("UnmappedJsonProperty", StringComparison.Ordinal)) return "unknown key";
        if (m.Contains("could not be converted", StringComparison.Ordinal) || m.StartsWith("DeserializeUnableToConvertValue", StringComparison.Ordinal))
        {
            var expected = m.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
                : m.Contains("UInt32", StringComparison.Ordinal) ? "a non-negative integer"
                : m.Contains("List", StringComparison.Ordinal) ? "an array of strings"
                : m.Contains("Dictionary", StringComparison.Ordinal) || m.Contains("Json", StringComparison.Ordinal) ? "an object"
                : m.Contains("String", StringComparison.Ordinal) ? "a string"
                : "another type";
            return $"expected {expected}";
        }
        return $"malformed json (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
    }
}

public sealed class RdmaPolicyException(string message) : Exception(message);
