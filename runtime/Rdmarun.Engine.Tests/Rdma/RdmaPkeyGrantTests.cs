using System.Text.Json;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Net;
using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;
using Rdmarun.Rdma.Ipoib;
using Rdmarun.Rdma.Tests;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// rdmarun's own create path for P_Keys on the mlx4 SR-IOV fixture: what the grant hands create (the VF's map to
/// rewrite, the IPoIB children to make), the write and its undo as create and delete run them, the record that
/// carries the previous map, and the refusals create gives before anything exists.
/// </summary>
public sealed class RdmaPkeyGrantTests : IDisposable
{
    readonly SysfsFixture _sys = SysfsFixture.Mlx4SriovHost();
    readonly string _dir = Directory.CreateTempSubdirectory("rdma-pkey-").FullName;

    public RdmaPkeyGrantTests() => RdmaPkeyRemaps.ClaimDir = Path.Combine(_dir, "claims"); // only this class uses it

    public void Dispose()
    {
        _sys.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    string NoPolicy => Path.Combine(_dir, "absent.json");

    static Spec NewSpec(string devices, string pkeys, bool ipoib = false, bool netns = true) => new()
    {
        Process = new Process { Args = ["sh"], Env = ["PATH=/bin"] },
        Root = new Root { Path = "rootfs" },
        Annotations = ipoib
            ? new() { ["org.rdmarun.rdma.devices"] = devices, ["org.rdmarun.rdma.pkeys"] = pkeys, [IpoibChildren.Annotation] = "true" }
            : new() { ["org.rdmarun.rdma.devices"] = devices, ["org.rdmarun.rdma.pkeys"] = pkeys },
        Linux = new Linux
        {
            Namespaces = netns ? [new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "network" }] : [new LinuxNamespace { Type = "mount" }],
        },
    };

    string[] VfMap() => Enumerable.Range(0, 4)
        .Select(v => File.ReadAllText(_sys.PathOf($"sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/{v}")).Trim()).ToArray();

    [Fact]
    public void an_mlx4_vf_is_granted_with_its_map_to_rewrite_and_create_and_delete_write_and_restore_it()
    {
        var outcome = RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8001"), NoPolicy, _sys.Root);
        var remap = Assert.Single(outcome.PkeyRemaps);
        Assert.Equal(["1", "none", "none", "none"], remap.Target);

        RdmaPkeyRemaps.Apply(outcome.PkeyRemaps, "c1", _sys.Root);   // create
        Assert.Equal(["1", "none", "none", "none"], VfMap());
        RdmaPkeyRemaps.Restore(outcome.PkeyRemaps, "c1", _sys.Root); // delete
        Assert.Equal(["0", "1", "2", "none"], VfMap());
        Assert.Empty(Directory.EnumerateFiles(RdmaPkeyRemaps.ClaimDir)); // the claim went with it
    }

    [Fact]
    public void while_one_container_holds_the_vfs_rewritten_map_no_other_gets_the_vf_restricted()
    {
        var first = RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8001"), NoPolicy, _sys.Root);
        RdmaPkeyRemaps.Apply(first.PkeyRemaps, "c1", _sys.Root);
        Assert.Equal("c1", File.ReadAllText(Path.Combine(RdmaPkeyRemaps.ClaimDir, "mlx4_1.1")));
        // What the VF now shows (the driver's P_Key change event updates its table; a fixture file does not).
        _sys.File("sys/class/infiniband/mlx4_1/ports/1/pkeys/0", "0x8001").File("sys/class/infiniband/mlx4_1/ports/1/pkeys/1", "0x0000")
            .File("sys/class/infiniband/mlx4_1/ports/1/pkeys/2", "0x0000");

        // A second container whose keys the rewritten table satisfies plans no remap: refused before create.
        var second = RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8001"), NoPolicy, _sys.Root);
        Assert.Empty(second.PkeyRemaps);
        var e = Assert.Throws<RuntimeError>(() => RdmaPkeyRemaps.CheckFree(second.Granted, "c2"));
        Assert.Equal("rdma: device mlx4_1 port 1: its p_key map is rewritten for container c1; an mlx4 VF serves one p_key-restricted container at a time", e.Message);
        RdmaPkeyRemaps.CheckFree(second.Granted, "c1"); // its own claim is no obstacle

        // One that would rewrite it again is refused at the claim, and its undo leaves c1's map alone.
        var third = RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8002"), NoPolicy, _sys.Root);
        e = Assert.Throws<RuntimeError>(() => RdmaPkeyRemaps.Apply(third.PkeyRemaps, "c3", _sys.Root));
        Assert.Equal("rdma: device mlx4_1 port 1: its p_key map is rewritten for container c1; an mlx4 VF serves one p_key-restricted container at a time", e.Message);
        RdmaPkeyRemaps.Restore(third.PkeyRemaps, "c3", _sys.Root);
        Assert.Equal(["1", "none", "none", "none"], VfMap());

        RdmaPkeyRemaps.Restore(first.PkeyRemaps, "c1", _sys.Root);
        Assert.Equal(["0", "1", "2", "none"], VfMap());
        RdmaPkeyRemaps.CheckFree(second.Granted, "c2");
    }

    [Fact]
    public void the_previous_map_survives_in_state_json_for_delete_force()
    {
        var outcome = RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8001"), NoPolicy, _sys.Root);
        var record = new ContainerRecord { Id = "c1", PkeyRemaps = [.. outcome.PkeyRemaps] };
        var back = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(record, StateJsonContext.Default.ContainerRecord), StateJsonContext.Default.ContainerRecord)!;
        var r = Assert.Single(back.PkeyRemaps!);
        Assert.Equal(("mlx4_1", 1, "mlx4_0", "0000:05:00.1", 1), (r.Device, r.Port, r.PfDevice, r.PciSlot, r.PhysicalPort));
        Assert.Equal(["0", "1", "2", "none"], r.Previous);

        RdmaPkeyRemaps.Apply(outcome.PkeyRemaps, "c1", _sys.Root);
        RdmaPkeyRemaps.Restore(back.PkeyRemaps, "c1", _sys.Root); // a later delete --force has only the record
        Assert.Equal(["0", "1", "2", "none"], VfMap());
    }

    [Fact]
    public void a_map_that_cannot_be_restored_fails_delete_with_what_and_where()
    {
        var outcome = RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8001"), NoPolicy, _sys.Root);
        RdmaPkeyRemaps.Apply(outcome.PkeyRemaps, "c1", _sys.Root);
        var dir = _sys.PathOf("sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx");
        Directory.Delete(dir, recursive: true); // the VF went away (sriov_numvfs lowered) under the container
        var e = Assert.Throws<RuntimeError>(() => RdmaPkeyRemaps.Restore(outcome.PkeyRemaps, "c1", _sys.Root));
        Assert.StartsWith($"rdma: cannot restore the p_key table of device mlx4_1 port 1: write 0 to {dir}/0: ", e.Message);
    }

    [Fact]
    public void a_not_writable_vf_map_refuses_create_before_anything_exists()
    {
        File.SetUnixFileMode(_sys.PathOf("sys/class/infiniband/mlx4_0/iov/0000:05:00.1/ports/1/pkey_idx/0"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<RuntimeError>(() => RdmaSpecGrant.Apply(NewSpec("mlx4_1", "0x8001"), NoPolicy, _sys.Root));
        Assert.Equal("rdma: device mlx4_1 port 1 exposes p_keys 0xffff, 0x8002, which this container may not use (allowed from annotation org.rdmarun.rdma.pkeys: 0x8001), and its mlx4 p_key mapping (mlx4_0 iov/0000:05:00.1/ports/1/pkey_idx) is not writable (an Ethernet port, or sysfs read-only here), so rdmarun cannot restrict it", e.Message);
    }

    [Fact]
    public void ipoib_asked_gives_create_one_child_per_allowed_key()
    {
        var spec = NewSpec("mlx4_1", "0x8001,0x0002", ipoib: true);
        var outcome = RdmaSpecGrant.Apply(spec, NoPolicy, _sys.Root);
        Assert.Equal([new IpoibChild("mlx4_1", 1, "ib1", 0x8001, "ib1.8001"), new IpoibChild("mlx4_1", 1, "ib1", 0x0002, "ib1.8002")],
            IpoibCheck.Check(spec, outcome, _sys.Root));
    }

    [Fact]
    public void ipoib_not_asked_gives_no_children_even_without_a_netns()
    {
        var spec = NewSpec("mlx4_1", "0x8001", netns: false);
        Assert.Null(IpoibCheck.Check(spec, RdmaSpecGrant.Apply(spec, NoPolicy, _sys.Root), _sys.Root));
    }

    [Fact]
    public void ipoib_without_a_netns_of_its_own_is_refused_before_anything_exists()
    {
        var spec = NewSpec("mlx4_1", "0x8001", ipoib: true, netns: false);
        var e = Assert.Throws<RuntimeError>(() => IpoibCheck.Check(spec, RdmaSpecGrant.Apply(spec, NoPolicy, _sys.Root), _sys.Root));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: the container has no network namespace of its own to put IPoIB devices in (add a network namespace to linux.namespaces, or drop the annotation)", e.Message);
    }

    [Fact]
    public void an_ipoib_name_that_is_also_a_net_devices_name_is_refused()
    {
        var spec = NewSpec("mlx4_1", "0x8001", ipoib: true);
        spec.Linux!.NetDevices = new() { ["eth1"] = new LinuxNetDevice { Name = "ib1.8001" } };
        var e = Assert.Throws<RuntimeError>(() => IpoibCheck.Check(spec, RdmaSpecGrant.Apply(spec, NoPolicy, _sys.Root), _sys.Root));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: ib1.8001 is also a name in linux.netDevices", e.Message);
    }

    [Fact]
    public void ipoib_for_an_unrestricted_device_is_refused()
    {
        var spec = NewSpec("mlx4_1", "", ipoib: true);
        spec.Annotations!.Remove("org.rdmarun.rdma.pkeys");
        var e = Assert.Throws<RuntimeError>(() => IpoibCheck.Check(spec, RdmaSpecGrant.Apply(spec, NoPolicy, _sys.Root), _sys.Root));
        Assert.Equal("annotation org.rdmarun.rdma.ipoib: device mlx4_1 has no p_key allowance (org.rdmarun.rdma.pkeys, RDMA_PKEYS or the policy's pkeys for it): rdmarun makes one IPoIB device per allowed p_key", e.Message);
    }
}
