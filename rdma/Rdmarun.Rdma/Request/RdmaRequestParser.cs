using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>
/// Builds an <see cref="RdmaRequest"/> from plain inputs, so callers map their spec model to dictionaries.
/// Device list precedence: annotation, then RDMA_VISIBLE_DEVICES, then the names in linux.resources.rdma.
/// P_Keys: annotation, then RDMA_PKEYS. Entries are "0x8001" (every granted device) or "mlx5_0:0x8001".
/// </summary>
public static class RdmaRequestParser
{
    public const string DevicesAnnotation = "org.rdmarun.rdma.devices";
    public const string PkeysAnnotation = "org.rdmarun.rdma.pkeys";
    public const string HcaHandlesAnnotation = "org.rdmarun.rdma.hca-handles";
    public const string HcaObjectsAnnotation = "org.rdmarun.rdma.hca-objects";
    public const string MadAnnotation = "org.rdmarun.rdma.mad";
    public const string MemlockAnnotation = "org.rdmarun.rdma.memlock";
    public const string VisibleDevicesEnv = "RDMA_VISIBLE_DEVICES";
    public const string PkeysEnv = "RDMA_PKEYS";
    public const string SpecRdmaPath = "linux.resources.rdma";

    /// <param name="specRdma">linux.resources.rdma, or null.</param>
    /// <param name="annotations">the spec's annotations, or null.</param>
    /// <param name="env">process.env ("KEY=VALUE"), or null.</param>
    public static RdmaRequest Parse(
        IReadOnlyDictionary<string, RdmaLimit>? specRdma,
        IReadOnlyDictionary<string, string>? annotations,
        IEnumerable<string>? env)
    {
        annotations ??= new Dictionary<string, string>();
        var environment = ParseEnv(env);
        var limits = new Dictionary<string, RdmaLimit>(StringComparer.Ordinal);
        foreach (var (name, limit) in specRdma ?? new Dictionary<string, RdmaLimit>())
        {
            CheckDeviceName(name, SpecRdmaPath);
            limits[name] = limit;
        }

        var (selection, devices, devicesSource) =
            annotations.TryGetValue(DevicesAnnotation, out var a) ? ParseDevices(a, $"annotation {DevicesAnnotation}")
            : environment.TryGetValue(VisibleDevicesEnv, out var e) ? ParseDevices(e, $"env {VisibleDevicesEnv}")
            : limits.Count > 0 ? (RdmaDeviceSelection.Listed, limits.Keys.Order(StringComparer.Ordinal).ToList(), SpecRdmaPath)
            : (RdmaDeviceSelection.Unspecified, new List<string>(), "");

        var (pkeys, pkeysSource) =
            annotations.TryGetValue(PkeysAnnotation, out var pa) ? (ParsePkeys(pa, $"annotation {PkeysAnnotation}"), $"annotation {PkeysAnnotation}")
            : environment.TryGetValue(PkeysEnv, out var pe) ? (ParsePkeys(pe, $"env {PkeysEnv}"), $"env {PkeysEnv}")
            : (new List<RequestedPkey>(), "");

        return new RdmaRequest
        {
            Selection = selection,
            Devices = devices,
            DevicesSource = devicesSource,
            Limits = limits,
            HcaHandles = ParseCount(annotations, HcaHandlesAnnotation),
            HcaObjects = ParseCount(annotations, HcaObjectsAnnotation),
            Pkeys = pkeys,
            PkeysSource = pkeysSource,
            Mad = ParseMad(annotations),
            Memlock = ParseMemlock(annotations),
        };
    }

    static Dictionary<string, string> ParseEnv(IEnumerable<string>? env)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in env ?? [])
        {
            var eq = entry.IndexOf('=');
            if (eq > 0) map[entry[..eq]] = entry[(eq + 1)..]; // the last definition wins, as in execve's getenv
        }
        return map;
    }

    static (RdmaDeviceSelection, List<string>, string) ParseDevices(string value, string source)
    {
        var items = SplitList(value);
        if (items.Count == 1 && items[0] is "all") return (RdmaDeviceSelection.All, [], source);
        if (items.Count == 0 || (items.Count == 1 && items[0] is "none" or "void")) return (RdmaDeviceSelection.None, [], source);
        foreach (var item in items)
        {
            if (item is "all" or "none" or "void")
                throw new RdmaRequestException($"rdma: {source}: \"{item}\" cannot be combined with device names in \"{value}\"");
            CheckDeviceName(item, source);
        }
        return (RdmaDeviceSelection.Listed, items.Distinct(StringComparer.Ordinal).ToList(), source);
    }

    /// <summary>Names become sysfs path components and rdma.max keys: refuse anything that is not a plain name.</summary>
    static void CheckDeviceName(string name, string source)
    {
        if (name.Length == 0 || name.Length > 64 || name is "." or ".." || name.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new RdmaRequestException($"rdma: {source}: \"{name}\" is not a valid rdma device name");
    }

    static List<string> SplitList(string value)
        => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    static List<RequestedPkey> ParsePkeys(string value, string source)
    {
        var list = new List<RequestedPkey>();
        foreach (var item in SplitList(value))
        {
            var colon = item.LastIndexOf(':');
            string? device = colon > 0 ? item[..colon] : null;
            var keyText = colon > 0 ? item[(colon + 1)..] : item;
            if (device is not null) CheckDeviceName(device, source);
            if (!Pkey.TryParse(keyText, out var key) || (key & 0x7fff) == 0)
                throw new RdmaRequestException($"rdma: {source}: \"{item}\" is not a p_key (expected 0x0001-0x7fff with an optional high bit, e.g. 0x8001 or mlx5_0:0x8001)");
            list.Add(new RequestedPkey(device, key));
        }
        return list;
    }

    static uint? ParseCount(IReadOnlyDictionary<string, string> annotations, string key)
    {
        if (!annotations.TryGetValue(key, out var text)) return null;
        if (text.Trim() is "max") return null;
        return uint.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new RdmaRequestException($"rdma: annotation {key}: \"{text}\" is not a non-negative integer or \"max\"");
    }

    static RdmaMadAccess ParseMad(IReadOnlyDictionary<string, string> annotations)
    {
        if (!annotations.TryGetValue(MadAnnotation, out var text)) return RdmaMadAccess.None;
        return text.Trim().ToLowerInvariant() switch
        {
            "false" or "no" or "0" or "" => RdmaMadAccess.None,
            "true" or "yes" or "1" or "umad" => RdmaMadAccess.Umad,
            "sm" or "issm" => RdmaMadAccess.UmadAndIssm,
            _ => throw new RdmaRequestException($"rdma: annotation {MadAnnotation}: \"{text}\" is not true, false or sm"),
        };
    }

    static ulong? ParseMemlock(IReadOnlyDictionary<string, string> annotations)
    {
        if (!annotations.TryGetValue(MemlockAnnotation, out var text)) return null;
        return Memlock.TryParse(text, out var bytes)
            ? bytes
            : throw new RdmaRequestException($"rdma: annotation {MemlockAnnotation}: \"{text}\" is neither \"unlimited\" nor a byte count (e.g. 64g)");
    }
}

public sealed class RdmaRequestException(string message) : Exception(message);
