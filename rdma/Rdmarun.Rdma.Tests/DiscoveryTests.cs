namespace Rdmarun.Rdma.Tests;

public class DiscoveryTests
{
    [Fact]
    public void finds_every_device_in_name_order_through_class_symlinks()
    {
        using var f = SysfsFixture.HpcHost();
        var inv = new SysfsRdmaDiscovery(f.Root).Discover();
        Assert.Equal(
            ["mlx4_0", "mlx5_0", "mlx5_1", "mlx5_10", "mlx5_11", "mlx5_2", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_7", "mlx5_8", "mlx5_9"],
            inv.Devices.Select(d => d.Name));
    }

    [Fact]
    public void reads_device_attributes_and_driver()
    {
        using var f = SysfsFixture.HpcHost();
        var d = new SysfsRdmaDiscovery(f.Root).Discover().Find("mlx5_0")!;
        Assert.Equal("0c42:a103:0012:3400", d.NodeGuid);
        Assert.Equal(1, d.NodeTypeCode);
        Assert.Equal("CA", d.NodeType);
        Assert.Equal("16.35.2000", d.FirmwareVersion);
        Assert.Equal("mlx5_core", d.Driver);
        Assert.Equal(["ib0"], d.NetDevices);
        Assert.Null(d.Iov);
    }

    [Fact]
    public void reads_infiniband_port_state_lid_gids_and_pkey_table()
    {
        using var f = SysfsFixture.HpcHost();
        var port = Assert.Single(new SysfsRdmaDiscovery(f.Root).Discover().Find("mlx5_0")!.Ports);
        Assert.Equal(1, port.Number);
        Assert.Equal((4, "ACTIVE"), (port.StateCode, port.State));
        Assert.True(port.IsActive);
        Assert.Equal((5, "LinkUp"), (port.PhysStateCode, port.PhysState));
        Assert.Equal(RdmaLinkLayer.InfiniBand, port.LinkLayer);
        Assert.Equal("100 Gb/sec (4X EDR)", port.Rate);
        Assert.Equal(5, port.Lid);
        // The all-zero GID slot is not reported.
        Assert.Equal([new RdmaGid(0, "fe80:0000:0000:0000:0c42:a103:0012:3400", null)], port.Gids);
        Assert.Equal(["0xffff", "0x8001", "0x0002", "0x0000"], port.Pkeys.Select(p => p.ToString()));
        Assert.Equal([0xffff, 0x8001, 0x0002], port.UsedPkeys.Select(p => (int)p.Value));
        Assert.True(port.Pkeys[1].IsFullMember);
        Assert.False(port.Pkeys[2].IsFullMember);
        Assert.True(port.Pkeys[3].IsEmpty);
        Assert.Equal(0x0001, port.Pkeys[1].Partition);
    }

    [Fact]
    public void roce_port_reports_ethernet_netdev_and_gid_owners()
    {
        using var f = SysfsFixture.HpcHost();
        var d = new SysfsRdmaDiscovery(f.Root).Discover().Find("mlx5_11")!;
        var port = Assert.Single(d.Ports);
        Assert.Equal(RdmaLinkLayer.Ethernet, port.LinkLayer);
        Assert.Equal(["ens2f0"], port.NetDevices);
        Assert.Equal(["ens2f0"], d.NetDevices);
        Assert.Equal(
            [new RdmaGid(0, "fe80:0000:0000:0000:0e42:a1ff:fe99:0001", "ens2f0"), new RdmaGid(1, "0000:0000:0000:0000:0000:ffff:c0a8:0a05", "ens2f0")],
            port.Gids);
    }

    [Fact]
    public void character_devices_match_ibdev_exactly_not_by_prefix()
    {
        using var f = SysfsFixture.HpcHost();
        var inv = new SysfsRdmaDiscovery(f.Root).Discover();
        var one = inv.Find("mlx5_1")!;
        var ten = inv.Find("mlx5_10")!;
        Assert.Equal(
            [new RdmaCharDevice(RdmaCharDeviceKind.Uverbs, "uverbs10", 231, 202, "mlx5_1", null),
             new RdmaCharDevice(RdmaCharDeviceKind.Umad, "umad10", 231, 10, "mlx5_1", 1),
             new RdmaCharDevice(RdmaCharDeviceKind.Issm, "issm10", 231, 74, "mlx5_1", 1)],
            one.CharDevices);
        Assert.Equal("/dev/infiniband/uverbs1", ten.Uverbs!.Path);
        Assert.Equal((231, 193), (ten.Uverbs.Major, ten.Uverbs.Minor));
        Assert.Null(inv.Find("mlx5"));
        Assert.Null(inv.Find("MLX5_1"));
    }

    [Fact]
    public void abi_version_files_are_not_character_devices()
    {
        using var f = SysfsFixture.HpcHost();
        var all = new SysfsRdmaDiscovery(f.Root).Discover().Devices.SelectMany(d => d.CharDevices).ToList();
        Assert.Equal(13, all.Count(c => c.Kind == RdmaCharDeviceKind.Uverbs));
        Assert.Equal(13, all.Count(c => c.Kind == RdmaCharDeviceKind.Umad));
        Assert.Equal(12, all.Count(c => c.Kind == RdmaCharDeviceKind.Issm));
        Assert.DoesNotContain(all, c => c.Name.Contains("abi"));
    }

    [Fact]
    public void rdma_cm_is_read_from_the_misc_class()
    {
        using var f = SysfsFixture.HpcHost();
        var cm = new SysfsRdmaDiscovery(f.Root).Discover().RdmaCm;
        Assert.Equal(new RdmaCharDevice(RdmaCharDeviceKind.RdmaCm, "rdma_cm", 10, 57, null, null), cm);
        Assert.Equal("/dev/infiniband/rdma_cm", cm!.Path);
    }

    [Fact]
    public void mlx4_sriov_pkey_tables_and_virtual_index_maps()
    {
        using var f = SysfsFixture.HpcHost();
        var iov = new SysfsRdmaDiscovery(f.Root).Discover().Find("mlx4_0")!.Iov!;
        Assert.Equal(["0xffff", "0x8001", "0x8002", "0x0000"], iov.PhysicalPkeys[1].Select(p => p.ToString()));
        var fn = Assert.Single(iov.Functions);
        Assert.Equal("0000:05:00.1", fn.PciSlot);
        Assert.Equal(1, fn.Port);
        Assert.Equal(new Dictionary<int, int?> { [0] = 0, [1] = 2, [2] = null }, fn.VirtualToPhysical);
    }

    [Fact]
    public void rxe_device_without_parent_gets_netdev_from_gid_attrs_and_driver_from_name()
    {
        using var f = SysfsFixture.RxeLab();
        var inv = new SysfsRdmaDiscovery(f.Root).Discover();
        var rxe = Assert.Single(inv.Devices);
        Assert.Equal("rxe0", rxe.Name);
        Assert.Null(rxe.Driver);
        Assert.Equal("rxe", rxe.DriverName);
        Assert.Null(rxe.FirmwareVersion);
        Assert.Equal(["veth0"], rxe.NetDevices);
        Assert.Equal(RdmaLinkLayer.Ethernet, rxe.Ports[0].LinkLayer);
        Assert.Equal(
            [new RdmaCharDevice(RdmaCharDeviceKind.Uverbs, "uverbs0", 231, 192, "rxe0", null),
             new RdmaCharDevice(RdmaCharDeviceKind.Umad, "umad0", 231, 0, "rxe0", 1),
             new RdmaCharDevice(RdmaCharDeviceKind.Issm, "issm0", 231, 64, "rxe0", 1)],
            rxe.CharDevices);
        Assert.Equal((10, 124), (inv.RdmaCm!.Major, inv.RdmaCm.Minor));
    }

    [Theory]
    [InlineData("mlx5_0", "mlx5")]
    [InlineData("mlx5_10", "mlx5")]
    [InlineData("rxe0", "rxe")]
    [InlineData("irdma1", "irdma")]
    [InlineData("siw", "siw")]
    public void driver_name_from_device_name(string device, string driver)
        => Assert.Equal(driver, RdmaDevice.DriverFromName(device));

    [Fact]
    public void a_host_without_rdma_has_an_empty_inventory()
    {
        using var f = new SysfsFixture();
        var inv = new SysfsRdmaDiscovery(f.Root).Discover();
        Assert.Empty(inv.Devices);
        Assert.Null(inv.RdmaCm);
    }

    [Fact]
    public void unreadable_or_malformed_attributes_do_not_break_discovery()
    {
        using var f = SysfsFixture.RxeLab(minimal: true);
        f.File("sys/class/infiniband/rxe0/ports/1/pkeys/1", "garbage")
         .File("sys/class/infiniband_verbs/uverbs5/ibdev", "rxe0"); // no dev file: skipped
        var rxe = new SysfsRdmaDiscovery(f.Root).Discover().Find("rxe0")!;
        Assert.Equal(["0xffff"], rxe.Ports[0].Pkeys.Select(p => p.ToString()));
        Assert.Single(rxe.CharDevices);
    }
}
