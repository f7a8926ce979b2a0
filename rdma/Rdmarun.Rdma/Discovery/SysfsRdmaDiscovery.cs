using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>
/// Reads RDMA devices, ports, P_Keys, netdevs and character devices from sysfs. The root is injectable so
/// tests read a fixture tree; production uses "/". Nothing here writes.
/// </summary>
public sealed class SysfsRdmaDiscovery(string root = "/")
{
    public string Root { get; } = root;

    string Sys(params string[] parts) => Path.Combine([Root, "sys", .. parts]);

    public RdmaInventory Discover()
    {
        var charDevices = DiscoverCharDevices();
        var devices = SysfsFile.EntryNames(Sys("class", "infiniband"))
            .Select(name => ReadDevice(name, charDevices))
            .ToList();
        return new RdmaInventory(devices, ReadRdmaCm());
    }

    RdmaDevice ReadDevice(string name, IReadOnlyList<RdmaCharDevice> charDevices)
    {
        var dir = Sys("class", "infiniband", name);
        var (nodeTypeCode, nodeType) = SysfsFile.ReadCoded(Path.Combine(dir, "node_type"));
        var ports = SysfsFile.NumberedEntries(Path.Combine(dir, "ports")).Select(p => ReadPort(dir, p)).ToList();
        var netdevs = SysfsFile.EntryNames(Path.Combine(dir, "device", "net"))
            .Concat(ports.SelectMany(p => p.NetDevices))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new RdmaDevice(
            name,
            SysfsFile.Read(Path.Combine(dir, "node_guid")),
            File.Exists(Path.Combine(dir, "node_type")) ? nodeTypeCode : null,
            File.Exists(Path.Combine(dir, "node_type")) ? nodeType : null,
            SysfsFile.Read(Path.Combine(dir, "fw_ver")),
            ReadDriver(dir),
            ports,
            netdevs,
            charDevices.Where(c => string.Equals(c.IbDevice, name, StringComparison.Ordinal)).ToList(),
            ReadMlx4Iov(dir))
        {
            PciSlot = ReadPciSlot(dir),
        };
    }

    static string? ReadPciSlot(string deviceDir)
    {
        try
        {
            var target = new DirectoryInfo(Path.Combine(deviceDir, "device")).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (IOException)
        {
            return null;
        }
    }

    static string? ReadDriver(string deviceDir)
    {
        var link = Path.Combine(deviceDir, "device", "driver");
        try
        {
            var info = new FileInfo(link);
            var target = info.LinkTarget;
            if (target is not null) return Path.GetFileName(target.TrimEnd('/'));
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    static RdmaPort ReadPort(string deviceDir, int number)
    {
        var dir = Path.Combine(deviceDir, "ports", number.ToString(CultureInfo.InvariantCulture));
        var (stateCode, state) = SysfsFile.ReadCoded(Path.Combine(dir, "state"));
        var (physCode, phys) = SysfsFile.ReadCoded(Path.Combine(dir, "phys_state"));
        var linkLayer = SysfsFile.Read(Path.Combine(dir, "link_layer")) switch
        {
            "InfiniBand" => RdmaLinkLayer.InfiniBand,
            "Ethernet" => RdmaLinkLayer.Ethernet,
            _ => RdmaLinkLayer.Unknown,
        };

        var ndevDir = Path.Combine(dir, "gid_attrs", "ndevs");
        var gids = new List<RdmaGid>();
        foreach (var index in SysfsFile.NumberedEntries(Path.Combine(dir, "gids")))
        {
            var value = SysfsFile.Read(Path.Combine(dir, "gids", index.ToString(CultureInfo.InvariantCulture)));
            if (value is null || IsZeroGid(value)) continue;
            var ndev = SysfsFile.Read(Path.Combine(ndevDir, index.ToString(CultureInfo.InvariantCulture)));
            gids.Add(new RdmaGid(index, value, string.IsNullOrEmpty(ndev) ? null : ndev));
        }

        var netdevs = SysfsFile.NumberedEntries(ndevDir)
            .Select(i => SysfsFile.Read(Path.Combine(ndevDir, i.ToString(CultureInfo.InvariantCulture))))
            .OfType<string>()
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        return new RdmaPort(number, stateCode, state, physCode, phys, linkLayer,
            SysfsFile.Read(Path.Combine(dir, "rate")),
            SysfsFile.ReadInt(Path.Combine(dir, "lid")),
            gids,
            ReadPkeyTable(Path.Combine(dir, "pkeys")),
            netdevs);
    }

    static bool IsZeroGid(string gid) => gid.All(c => c is '0' or ':');

    static List<PkeyEntry> ReadPkeyTable(string dir)
    {
        var table = new List<PkeyEntry>();
        foreach (var index in SysfsFile.NumberedEntries(dir))
        {
            if (Pkey.TryParse(SysfsFile.Read(Path.Combine(dir, index.ToString(CultureInfo.InvariantCulture))), out var value))
                table.Add(new PkeyEntry(index, value));
        }
        return table;
    }

    static Mlx4Iov? ReadMlx4Iov(string deviceDir)
    {
        var iov = Path.Combine(deviceDir, "iov");
        if (!Directory.Exists(iov)) return null;

        var physical = new SortedDictionary<int, IReadOnlyList<PkeyEntry>>();
        foreach (var port in SysfsFile.NumberedEntries(Path.Combine(iov, "ports")))
            physical[port] = ReadPkeyTable(Path.Combine(iov, "ports", port.ToString(CultureInfo.InvariantCulture), "pkeys"));

        var functions = new List<Mlx4FunctionPkeyMap>();
        foreach (var slot in SysfsFile.EntryNames(iov).Where(n => n != "ports"))
        {
            var portsDir = Path.Combine(iov, slot, "ports");
            foreach (var port in SysfsFile.NumberedEntries(portsDir))
            {
                var idxDir = Path.Combine(portsDir, port.ToString(CultureInfo.InvariantCulture), "pkey_idx");
                var map = new SortedDictionary<int, int?>();
                var writable = true;
                foreach (var v in SysfsFile.NumberedEntries(idxDir))
                {
                    var file = Path.Combine(idxDir, v.ToString(CultureInfo.InvariantCulture));
                    map[v] = SysfsFile.ReadInt(file); // "none" → null
                    writable &= SysfsFile.OwnerWritable(file);
                }
                functions.Add(new Mlx4FunctionPkeyMap(slot, port, map) { Writable = writable && map.Count > 0 });
            }
        }
        return new Mlx4Iov(physical, functions);
    }

    /// <summary>uverbsN, umadN, issmN from their sysfs classes; names are matched by the ibdev file, never by prefix.</summary>
    IReadOnlyList<RdmaCharDevice> DiscoverCharDevices()
    {
        var list = new List<RdmaCharDevice>();
        var verbs = Sys("class", "infiniband_verbs");
        foreach (var name in SysfsFile.EntryNames(verbs).Where(n => IsNumbered(n, "uverbs")))
            Add(list, RdmaCharDeviceKind.Uverbs, name, Path.Combine(verbs, name), withPort: false);

        var mad = Sys("class", "infiniband_mad");
        foreach (var name in SysfsFile.EntryNames(mad))
        {
            if (IsNumbered(name, "umad")) Add(list, RdmaCharDeviceKind.Umad, name, Path.Combine(mad, name), withPort: true);
            else if (IsNumbered(name, "issm")) Add(list, RdmaCharDeviceKind.Issm, name, Path.Combine(mad, name), withPort: true);
        }
        // Kind, then node number: uverbs2 before uverbs10, whatever order the directory lists.
        return list.OrderBy(c => c.Kind).ThenBy(c => int.Parse(c.Name.AsSpan(c.Name.IndexOfAny("0123456789".ToCharArray())), CultureInfo.InvariantCulture)).ToList();
    }

    static void Add(List<RdmaCharDevice> list, RdmaCharDeviceKind kind, string name, string dir, bool withPort)
    {
        var numbers = SysfsFile.ReadDevNumbers(Path.Combine(dir, "dev"));
        var ibdev = SysfsFile.Read(Path.Combine(dir, "ibdev"));
        if (numbers is null || string.IsNullOrEmpty(ibdev)) return;
        list.Add(new RdmaCharDevice(kind, name, numbers.Value.Major, numbers.Value.Minor, ibdev,
            withPort ? SysfsFile.ReadInt(Path.Combine(dir, "port")) : null));
    }

    static bool IsNumbered(string name, string prefix)
        => name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal) && name[prefix.Length..].All(char.IsAsciiDigit);

    /// <summary>rdma_cm is a misc device with a dynamic minor; present only when rdma_ucm is loaded.</summary>
    RdmaCharDevice? ReadRdmaCm()
    {
        var numbers = SysfsFile.ReadDevNumbers(Sys("class", "misc", "rdma_cm", "dev"));
        return numbers is null ? null : new RdmaCharDevice(RdmaCharDeviceKind.RdmaCm, "rdma_cm", numbers.Value.Major, numbers.Value.Minor, null, null);
    }
}
