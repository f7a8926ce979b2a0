using System.Text;
using System.Text.Json;

namespace Rdmarun.Rdma.Cdi;

/// <summary>
/// A Container Device Interface spec for the host's RDMA devices: one CDI device per RDMA device (its uverbs
/// node; umad/issm only when asked, since they reach the fabric's management plane) and `all`. rdma_cm is
/// global (one node for every device), so it sits in the spec-wide edits that come with any device.
/// cdiVersion 0.5.0: nothing here needs a later version, and older engines (podman 4.3 in Debian 12)
/// refuse specs newer than they know.
/// </summary>
public static class CdiSpecGenerator
{
    public const string DefaultKind = "rdmarun.io/rdma";
    public const string CdiVersion = "0.5.0";
    public const string AllDevice = "all";
    const int NodeMode = 438; // 0666: a non-root container user opens the node; the device cgroup is the gate

    public static string Generate(RdmaInventory inventory, CdiOptions options)
    {
        ValidateKind(options.Kind);
        var devices = inventory.Devices
            .Select(d => (d.Name, Nodes: NodesOf(d, options)))
            .Where(d => d.Nodes.Count > 0)
            .ToList();
        if (devices.Count == 0)
            throw new CdiException(inventory.Devices.Count == 0
                ? "cdi: no RDMA device on this host (/sys/class/infiniband is empty)"
                : $"cdi: no RDMA device has a uverbs node ({string.Join(", ", inventory.Devices.Select(d => d.Name))}); is ib_uverbs loaded?");
        foreach (var (name, _) in devices) ValidateDeviceName(name);

        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("cdiVersion", CdiVersion);
            w.WriteString("kind", options.Kind);
            w.WriteStartArray("devices");
            foreach (var (name, nodes) in devices) WriteDevice(w, name, nodes);
            WriteDevice(w, AllDevice, devices.SelectMany(d => d.Nodes).ToList());
            w.WriteEndArray();
            w.WritePropertyName("containerEdits");
            w.WriteStartObject();
            if (inventory.RdmaCm is { } cm)
            {
                w.WriteStartArray("deviceNodes");
                WriteNode(w, cm);
                w.WriteEndArray();
            }
            if (options.HookPath is { } hook) WriteHooks(w, hook);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    static List<RdmaCharDevice> NodesOf(RdmaDevice d, CdiOptions o)
    {
        if (d.Uverbs is not { } uverbs) return [];
        var nodes = new List<RdmaCharDevice> { uverbs };
        if (o.Umad) nodes.AddRange(d.CharDevicesOf(RdmaCharDeviceKind.Umad));
        if (o.Issm) nodes.AddRange(d.CharDevicesOf(RdmaCharDeviceKind.Issm));
        return nodes;
    }

    static void WriteDevice(Utf8JsonWriter w, string name, IReadOnlyList<RdmaCharDevice> nodes)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WritePropertyName("containerEdits");
        w.WriteStartObject();
        w.WriteStartArray("deviceNodes");
        foreach (var n in nodes) WriteNode(w, n);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void WriteNode(Utf8JsonWriter w, RdmaCharDevice n)
    {
        w.WriteStartObject();
        w.WriteString("path", n.Path);
        w.WriteString("type", "c");
        w.WriteNumber("major", n.Major);
        w.WriteNumber("minor", n.Minor);
        w.WriteNumber("fileMode", NodeMode);
        w.WriteString("permissions", "rw");
        w.WriteEndObject();
    }

    /// <summary>The hook's three phases (see Rdmarun.Engine.Rdma.Hook.RdmaHook); CDI hook names are OCI's.</summary>
    static void WriteHooks(Utf8JsonWriter w, string path)
    {
        w.WriteStartArray("hooks");
        foreach (var phase in new[] { "createRuntime", "createContainer", "poststop" })
        {
            w.WriteStartObject();
            w.WriteString("hookName", phase);
            w.WriteString("path", path);
            w.WriteStartArray("args");
            w.WriteStringValue(Path.GetFileName(path));
            w.WriteStringValue("rdma-hook");
            w.WriteStringValue(phase);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// CDI's kind rule: vendor/class, the vendor a DNS subdomain (labels of alphanumerics and dashes, each
    /// starting and ending alphanumeric), the class 63 characters at most, alphanumeric at both ends with
    /// alphanumerics, dashes, underscores and dots between.
    /// </summary>
    public static void ValidateKind(string kind)
    {
        var slash = kind.IndexOf('/');
        if (slash <= 0 || slash != kind.LastIndexOf('/'))
            throw new CdiException($"cdi: kind '{kind}' must be vendor/class, e.g. {DefaultKind}");
        var vendor = kind[..slash];
        var cls = kind[(slash + 1)..];
        if (vendor.Length > 253 || vendor.Split('.').Any(l => !IsDnsLabel(l)))
            throw new CdiException($"cdi: kind '{kind}': vendor '{vendor}' is not a DNS subdomain (letters, digits, '-' and '.')");
        if (cls.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(cls[0]) || !char.IsAsciiLetterOrDigit(cls[^1])
            || cls.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')))
            throw new CdiException($"cdi: kind '{kind}': class '{cls}' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    }

    static bool IsDnsLabel(string l)
        => l.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(l[0]) && char.IsAsciiLetterOrDigit(l[^1])
           && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>CDI device names: alphanumerics, '_', '.', ':' and '-', starting and ending alphanumeric.</summary>
    static void ValidateDeviceName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1])
            || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or ':' or '-')))
            throw new CdiException($"cdi: RDMA device name '{name}' is not a valid CDI device name");
        if (name == AllDevice) throw new CdiException($"cdi: an RDMA device is named '{AllDevice}', which the spec uses for every device");
    }
}
