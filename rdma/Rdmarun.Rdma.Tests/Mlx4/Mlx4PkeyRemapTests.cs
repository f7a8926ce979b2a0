namespace Rdmarun.Rdma.Tests.Mlx4;

/// <summary>
/// mlx4 VF P_Key restriction on the sysfs fixture: planned instead of refused, written and read back, restored,
/// and refused where it cannot be done. The fixture's files stand for the driver's pkey_idx attributes.
/// </summary>
public class Mlx4PkeyRemapTests
{
    static RdmaRequest Ask(string devices, string pkeys)
        => RdmaRequestParser.Parse(null, new Dictionary<string, string> { ["org.rdmarun.rdma.devices"] = devices, ["org.rdmarun.rdma.pkeys"] = pkeys }, null);

    static string[] Table(SysfsFixture f, string slot = "0000:05:00.1")
        => Enumerable.Range(0, 4).Select(v => File.ReadAllText(f.PathOf($"sys/class/infiniband/mlx4_0/iov/{slot}/ports/1/pkey_idx/{v}")).Trim()).ToArray();

    [Fact]
    public void discovery_reads_the_pci_address_and_whether_the_map_is_writable()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var inv = new SysfsRdmaDiscovery(f.Root).Discover();
        Assert.Equal(("0000:05:00.0", "0000:05:00.1"), (inv.Find("mlx4_0")!.PciSlot, inv.Find("mlx4_1")!.PciSlot));
        var map = inv.Find("mlx4_0")!.Iov!.Functions.Single(m => m.PciSlot == "0000:05:00.1");
        Assert.True(map.Writable);
        Assert.Equal([0, 1, 2, null], map.VirtualToPhysical.Values);
    }

    [Fact]
    public void a_vf_exposing_other_keys_is_planned_for_a_remap_to_the_allowed_physical_entries()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var g = RdmaPlanner.Plan(Ask("mlx4_1", "0x8001"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover());
        var r = Assert.Single(g.PkeyRemaps);
        Assert.Equal(("mlx4_1", 1, "mlx4_0", "0000:05:00.1", 1), (r.Device, r.Port, r.PfDevice, r.PciSlot, r.PhysicalPort));
        Assert.Equal(["0", "1", "2", "none"], r.Previous);
        Assert.Equal(["1", "none", "none", "none"], r.Target);
        Assert.Equal("mlx4_0 iov/0000:05:00.1/ports/1/pkey_idx", r.Where);
    }

    [Fact]
    public void a_vf_whose_table_holds_only_allowed_keys_needs_no_remap()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var g = RdmaPlanner.Plan(Ask("mlx4_1", "0xffff,0x8001,0x8002"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover());
        Assert.Empty(g.PkeyRemaps);
    }

    [Fact]
    public void the_pf_itself_cannot_be_remapped_and_is_refused()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Ask("mlx4_0", "0x8001"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover()));
        Assert.Equal("rdma: device mlx4_0 port 1 exposes p_keys 0xffff, 0x8002, which this container may not use (allowed from annotation org.rdmarun.rdma.pkeys: 0x8001), and rdmarun cannot restrict the p_key table of driver mlx4_core; grant a VF whose table the subnet manager limits to allowed keys", e.Message);
    }

    [Fact]
    public void a_vf_map_that_is_not_writable_is_refused_naming_device_port_keys_source_and_file()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        File.SetUnixFileMode(f.PathOf("sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/2"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<RdmaRefusalException>(() => RdmaPlanner.Plan(Ask("mlx4_1", "0x8001"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover()));
        Assert.Equal(RdmaRefusalReason.PkeyTableNotRestricted, e.Reason);
        Assert.Equal("rdma: device mlx4_1 port 1 exposes p_keys 0xffff, 0x8002, which this container may not use (allowed from annotation org.rdmarun.rdma.pkeys: 0x8001), and its mlx4 p_key mapping (mlx4_0 iov/0000:05:00.1/ports/1/pkey_idx) is not writable (an Ethernet port, or sysfs read-only here), so rdmarun cannot restrict it", e.Message);
    }

    [Fact]
    public void apply_writes_the_target_and_restore_puts_the_previous_map_back()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var r = RdmaPlanner.Plan(Ask("mlx4_1", "0x8001"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover()).PkeyRemaps.Single();
        Mlx4PkeyTable.Apply(r, f.Root);
        Assert.Equal(["1", "none", "none", "none"], Table(f));
        Assert.Equal(["0", "1", "2", "none"], Table(f, "0000:05:00.0")); // the PF's own map is never touched
        Mlx4PkeyTable.Restore(r, f.Root);
        Assert.Equal(["0", "1", "2", "none"], Table(f));
    }

    [Fact]
    public void an_entry_that_does_not_read_back_fails_the_apply_and_the_previous_map_is_restored()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var r = RdmaPlanner.Plan(Ask("mlx4_1", "0x8001"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover()).PkeyRemaps.Single();
        // A driver that ignores writes of "none" to index 2 (keeps the old index): what the read-back is for.
        void Stubborn(string path, string text)
        {
            if (path.EndsWith("/2", StringComparison.Ordinal) && text.StartsWith("none", StringComparison.Ordinal)) return;
            File.WriteAllText(path, text);
        }
        var e = Assert.Throws<RdmaRefusalException>(() => Mlx4PkeyTable.Apply(r, f.Root, Stubborn));
        Assert.Equal("rdma: the p_key table of device mlx4_1 port 1 (mlx4_0 iov/0000:05:00.1/ports/1/pkey_idx) reads back 0: 1, 1: none, 2: 2, 3: none after writing 0: 1, 1: none, 2: none, 3: none (restrict)", e.Message);
        Assert.Equal(["0", "1", "2", "none"], Table(f));
    }

    [Fact]
    public void a_write_the_kernel_refuses_names_the_file_and_leaves_the_previous_map()
    {
        using var f = SysfsFixture.Mlx4SriovHost();
        var r = RdmaPlanner.Plan(Ask("mlx4_1", "0x8001"), RdmaPolicy.Default(), new SysfsRdmaDiscovery(f.Root).Discover()).PkeyRemaps.Single();
        var writes = 0;
        void Einval(string path, string text)
        {
            if (++writes == 2) throw new IOException("Invalid argument");
            File.WriteAllText(path, text);
        }
        var e = Assert.Throws<RdmaRefusalException>(() => Mlx4PkeyTable.Apply(r, f.Root, Einval));
        Assert.Equal($"rdma: cannot restrict the p_key table of device mlx4_1 port 1: write none to {f.Root}/sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/1: Invalid argument", e.Message);
        Assert.Equal(["0", "1", "2", "none"], Table(f));
    }
}
