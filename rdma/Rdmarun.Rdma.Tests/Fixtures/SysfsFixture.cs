namespace Rdmarun.Rdma.Tests;

/// <summary>
/// Writes a fake sysfs tree into a temp directory, with the file formats of
/// Documentation/ABI/stable/sysfs-class-infiniband ("4: ACTIVE", "0xffff", "231:192").
/// </summary>
public sealed class SysfsFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("rdma-sysfs-").FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public SysfsFixture File(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content + "\n");
        return this;
    }

    /// <summary>
    /// A device; like the real class directory it is a symlink into /sys/devices when <paramref name="pci"/> is given,
    /// with device/driver pointing at the PCI driver.
    /// </summary>
    public SysfsFixture Device(string name, string guid, string nodeType = "1: CA", string? fw = null,
        string? pci = null, string? driver = null, params string[] netdevs)
    {
        var classEntry = PathOf($"sys/class/infiniband/{name}");
        string dir;
        if (pci is not null)
        {
            dir = PathOf($"sys/devices/pci0000:00/{pci}/infiniband/{name}");
            Directory.CreateDirectory(dir);
            Directory.CreateDirectory(Path.GetDirectoryName(classEntry)!);
            Directory.CreateSymbolicLink(classEntry, dir);
            Directory.CreateSymbolicLink(Path.Combine(dir, "device"), PathOf($"sys/devices/pci0000:00/{pci}"));
            if (driver is not null)
            {
                var driverDir = PathOf($"sys/bus/pci/drivers/{driver}");
                Directory.CreateDirectory(driverDir);
                Directory.CreateSymbolicLink(PathOf($"sys/devices/pci0000:00/{pci}/driver"), driverDir);
            }
            foreach (var n in netdevs) Directory.CreateDirectory(PathOf($"sys/devices/pci0000:00/{pci}/net/{n}"));
        }
        else
        {
            dir = classEntry;
            Directory.CreateDirectory(dir);
        }
        var rel = $"sys/class/infiniband/{name}";
        File($"{rel}/node_guid", guid);
        File($"{rel}/node_type", nodeType);
        if (fw is not null) File($"{rel}/fw_ver", fw);
        return this;
    }

    public SysfsFixture Port(string device, int port, string linkLayer = "InfiniBand", string state = "4: ACTIVE",
        string phys = "5: LinkUp", string rate = "100 Gb/sec (4X EDR)", string? lid = "0x1",
        string[]? gids = null, string[]? pkeys = null, string[]? ndevs = null)
    {
        var rel = $"sys/class/infiniband/{device}/ports/{port}";
        File($"{rel}/state", state);
        File($"{rel}/phys_state", phys);
        File($"{rel}/link_layer", linkLayer);
        File($"{rel}/rate", rate);
        if (lid is not null) File($"{rel}/lid", lid);
        var g = gids ?? [];
        for (var i = 0; i < g.Length; i++) File($"{rel}/gids/{i}", g[i]);
        var p = pkeys ?? [];
        for (var i = 0; i < p.Length; i++) File($"{rel}/pkeys/{i}", p[i]);
        if (ndevs is not null)
            for (var i = 0; i < ndevs.Length; i++) File($"{rel}/gid_attrs/ndevs/{i}", ndevs[i]);
        return this;
    }

    public SysfsFixture Uverbs(int n, string ibdev)
        => File($"sys/class/infiniband_verbs/uverbs{n}/ibdev", ibdev)
            .File($"sys/class/infiniband_verbs/uverbs{n}/dev", $"231:{192 + n}")
            .File($"sys/class/infiniband_verbs/uverbs{n}/abi_version", "1");

    public SysfsFixture Umad(int n, string ibdev, int port)
        => File($"sys/class/infiniband_mad/umad{n}/ibdev", ibdev)
            .File($"sys/class/infiniband_mad/umad{n}/port", port.ToString())
            .File($"sys/class/infiniband_mad/umad{n}/dev", $"231:{n}");

    public SysfsFixture Issm(int n, string ibdev, int port)
        => File($"sys/class/infiniband_mad/issm{n}/ibdev", ibdev)
            .File($"sys/class/infiniband_mad/issm{n}/port", port.ToString())
            .File($"sys/class/infiniband_mad/issm{n}/dev", $"231:{64 + n}");

    public SysfsFixture RdmaCm(string dev = "10:57") => File("sys/class/misc/rdma_cm/dev", dev);

    const string ZeroGid = "0000:0000:0000:0000:0000:0000:0000:0000";

    /// <summary>
    /// A host with an mlx5 InfiniBand PF (mlx5_0) and ten SR-IOV VFs (mlx5_1 … mlx5_10; uverbs numbers deliberately
    /// not in name order: mlx5_1 ↔ uverbs10, mlx5_10 ↔ uverbs1), an mlx5 RoCE PF (mlx5_11 on ens2f0), an mlx4 PF with
    /// SR-IOV P_Key tables (mlx4_0) and rdma_cm.
    /// </summary>
    public static SysfsFixture HpcHost()
    {
        var f = new SysfsFixture();
        f.File("sys/class/infiniband_verbs/abi_version", "6").File("sys/class/infiniband_mad/abi_version", "5");

        f.Device("mlx5_0", "0c42:a103:0012:3400", fw: "16.35.2000", pci: "0000:3b:00.0", driver: "mlx5_core", netdevs: ["ib0"])
            .Port("mlx5_0", 1, lid: "0x5",
                gids: ["fe80:0000:0000:0000:0c42:a103:0012:3400", ZeroGid],
                pkeys: ["0xffff", "0x8001", "0x0002", "0x0000"])
            .Uverbs(0, "mlx5_0").Umad(0, "mlx5_0", 1).Issm(0, "mlx5_0", 1);

        for (var vf = 1; vf <= 10; vf++)
        {
            var name = $"mlx5_{vf}";
            var uverbs = vf switch { 1 => 10, 10 => 1, _ => vf };
            f.Device(name, $"0c42:a103:0012:34{vf:x2}", fw: "16.35.2000", pci: $"0000:3b:00.{vf + 1}", driver: "mlx5_core")
                .Port(name, 1, lid: $"0x{0x10 + vf:x}", rate: "100 Gb/sec (4X EDR)",
                    gids: [$"fe80:0000:0000:0000:0c42:a103:0012:34{vf:x2}"],
                    pkeys: ["0xffff", "0x8001", "0x0000"])
                .Uverbs(uverbs, name).Umad(uverbs, name, 1).Issm(uverbs, name, 1);
        }

        f.Device("mlx5_11", "0c42:a103:0099:0001", fw: "22.39.1002", pci: "0000:5e:00.0", driver: "mlx5_core", netdevs: ["ens2f0"])
            .Port("mlx5_11", 1, linkLayer: "Ethernet", rate: "100 Gb/sec (4X EDR)", lid: "0x0",
                gids: ["fe80:0000:0000:0000:0e42:a1ff:fe99:0001", "0000:0000:0000:0000:0000:ffff:c0a8:0a05", ZeroGid],
                pkeys: ["0xffff"],
                ndevs: ["ens2f0", "ens2f0", ""])
            .Uverbs(11, "mlx5_11").Umad(11, "mlx5_11", 1);

        f.Device("mlx4_0", "0002:c903:0031:7e30", fw: "2.42.5000", pci: "0000:05:00.0", driver: "mlx4_core", netdevs: ["ib1"])
            .Port("mlx4_0", 1, rate: "56 Gb/sec (4X FDR)", lid: "0x7", gids: ["fe80:0000:0000:0000:0002:c903:0031:7e31"],
                pkeys: ["0xffff", "0x8001", "0x8002", "0x0000"])
            .File("sys/class/infiniband/mlx4_0/iov/ports/1/pkeys/0", "0xffff")
            .File("sys/class/infiniband/mlx4_0/iov/ports/1/pkeys/1", "0x8001")
            .File("sys/class/infiniband/mlx4_0/iov/ports/1/pkeys/2", "0x8002")
            .File("sys/class/infiniband/mlx4_0/iov/ports/1/pkeys/3", "0x0000")
            .File("sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/0", "0")
            .File("sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/1", "2")
            .File("sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/2", "none")
            .Uverbs(12, "mlx4_0").Umad(12, "mlx4_0", 1).Issm(12, "mlx4_0", 1);

        f.RdmaCm();
        return f;
    }

    /// <summary>
    /// An InfiniBand host with partitions: the mlx5 PF (mlx5_0) holds the default key and two partitions; the
    /// subnet manager gave VF mlx5_1 only partitions 0x8001 and 0x0002 (limited) and VF mlx5_2 only 0x8001.
    /// </summary>
    public static SysfsFixture PartitionedHost()
    {
        var f = new SysfsFixture();
        f.Device("mlx5_0", "0c42:a103:0012:3400", pci: "0000:3b:00.0", driver: "mlx5_core", netdevs: ["ib0"])
            .Port("mlx5_0", 1, pkeys: ["0xffff", "0x8001", "0x0002", "0x0000"]).Uverbs(0, "mlx5_0");
        f.Device("mlx5_1", "0c42:a103:0012:3401", pci: "0000:3b:00.2", driver: "mlx5_core")
            .Port("mlx5_1", 1, pkeys: ["0x8001", "0x0002", "0x0000"]).Uverbs(1, "mlx5_1");
        f.Device("mlx5_2", "0c42:a103:0012:3402", pci: "0000:3b:00.3", driver: "mlx5_core")
            .Port("mlx5_2", 1, pkeys: ["0x8001", "0x0000"]).Uverbs(2, "mlx5_2");
        f.RdmaCm();
        return f;
    }

    /// <summary>
    /// An mlx4 (ConnectX-3) host in SR-IOV mode, as drivers/infiniband/hw/mlx4/sysfs.c lays it out: the PF mlx4_0
    /// (0000:05:00.0, IPoIB netdev ib0) holds the iov tree: the physical P_Key table of port 1 (0xffff, 0x8001,
    /// 0x8002, and an empty last slot, where "none" points) and, per function, the virtual-to-physical map. VF
    /// mlx4_1 (0000:05:00.1, IPoIB netdev ib1 with dev_port 0) maps its virtual 0-2 to physical 0-2 and 3 to
    /// none, so its own table shows all three keys. The PF's own map (slave 0) is there too; the driver refuses
    /// writes to it.
    /// </summary>
    public static SysfsFixture Mlx4SriovHost()
    {
        var f = new SysfsFixture();
        f.Device("mlx4_0", "0002:c903:0031:7e30", pci: "0000:05:00.0", driver: "mlx4_core", netdevs: ["ib0"])
            .Port("mlx4_0", 1, pkeys: ["0xffff", "0x8001", "0x8002"]).Uverbs(0, "mlx4_0");
        f.Device("mlx4_1", "0002:c903:0031:7e40", pci: "0000:05:00.1", driver: "mlx4_core", netdevs: ["ib1"])
            .Port("mlx4_1", 1, pkeys: ["0xffff", "0x8001", "0x8002"]).Uverbs(1, "mlx4_1")
            .File("sys/devices/pci0000:00/0000:05:00.1/net/ib1/dev_port", "0")
            .File("sys/devices/pci0000:00/0000:05:00.1/net/ib1/type", "32");
        string[] physical = ["0xffff", "0x8001", "0x8002", "0x0000"];
        for (var i = 0; i < physical.Length; i++) f.File($"sys/class/infiniband/mlx4_0/iov/ports/1/pkeys/{i}", physical[i]);
        foreach (var fn in new[] { "0000:05:00.0", "0000:05:00.1" })
        {
            string[] map = ["0", "1", "2", "none"];
            for (var v = 0; v < map.Length; v++) f.File($"sys/class/infiniband/mlx4_0/iov/{fn}/ports/1/pkey_idx/{v}", map[v]);
        }
        f.RdmaCm();
        return f;
    }

    /// <summary>
    /// The kernel lab as discovered there on Linux 6.1: soft-RoCE rxe0 on veth0 (192.168.77.1), no parent device,
    /// uverbs0 231:192, umad0/issm0, rdma_cm 10:124 (a dynamic misc minor). <paramref name="minimal"/> drops the MAD
    /// nodes and rdma_cm (ib_umad and rdma_ucm not loaded).
    /// </summary>
    public static SysfsFixture RxeLab(bool minimal = false)
    {
        var f = new SysfsFixture();
        f.Device("rxe0", "183a:7bff:fe53:b979")
            .Port("rxe0", 1, linkLayer: "Ethernet", rate: "10 Gb/sec (1X FDR10)", lid: "0x0",
                gids: ["fe80:0000:0000:0000:183a:7bff:fe53:b979", "0000:0000:0000:0000:0000:ffff:c0a8:4d01"],
                pkeys: ["0xffff"],
                ndevs: ["veth0", "veth0"])
            .Uverbs(0, "rxe0");
        if (!minimal) f.Umad(0, "rxe0", 1).Issm(0, "rxe0", 1).RdmaCm("10:124");
        return f;
    }
}
