using System.Diagnostics;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>
/// Exclusive-mode moves after a crash, without movable hardware: what create records in creating.json before a
/// device moves, and what `delete --force` does with that record (RdmaNetnsMove.ReturnOnDelete, as Delete.Undo
/// calls it), against <see cref="FakeRdmaKernel"/>. One class: the cases share RdmaNetnsMove.ReturnTimeout.
/// </summary>
public sealed class RdmaMoveBookkeepingTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rdmarun-rdma-bk-").FullName;
    readonly StateStore _store;

    public RdmaMoveBookkeepingTests() => _store = new StateStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>creating.json as a create killed right after recording its move leaves it, read back from disk.</summary>
    ContainerRecord KilledCreate(string netnsPath, params string[] devices)
    {
        Directory.CreateDirectory(_store.DirOf("c1"));
        var partial = new ContainerRecord
        {
            Id = "c1", InitPid = 4242, Annotations = new() { ["org.rdmarun.rdma.granted"] = string.Join(",", devices) },
            NamespacePaths = new() { ["network"] = netnsPath, ["mount"] = "/proc/4242/ns/mnt" },
        };
        CreatingRecord.SaveBeforeRdmaMove(_store, partial, devices);
        return CreatingRecord.Load(_store, "c1") ?? throw new InvalidOperationException("creating.json not readable");
    }

    static IDisposable Route(FakeRdmaKernel k) => RdmaNetlink.Use(() => k.Socket("host"), fd => k.Socket(FakeRdmaKernel.NetnsOf(fd)));

    [Fact]
    public void the_record_names_the_devices_and_keeps_the_grant_annotations()
    {
        var r = KilledCreate("/proc/4242/ns/net", "mlx5_0", "mlx5_1");
        Assert.Equal("mlx5_0,mlx5_1", r.Annotations![RdmaNetnsMove.MovedAnnotation]);
        Assert.Equal("mlx5_0,mlx5_1", r.Annotations["org.rdmarun.rdma.granted"]);
        Assert.Equal("/proc/4242/ns/net", r.NamespacePaths!["network"]);
    }

    [Fact]
    public void own_netns_delete_force_waits_until_the_kernel_has_returned_the_device()
    {
        // The container's own netns died with its processes; the kernel hands mlx5_0 back a little later.
        var k = new FakeRdmaKernel().Device("mlx5_0", 1, "container");
        k.ReturnAfterHostDumps = 3;
        var r = KilledCreate("/proc/4242/ns/net", "mlx5_0");
        using (Route(k)) RdmaNetnsMove.ReturnOnDelete(r);
        Assert.Equal("host", k.Where("mlx5_0"));
        Assert.Equal(["dump host", "dump host", "dump host"], k.Log);
    }

    [Fact]
    public void named_netns_delete_force_moves_the_device_back_out_of_it()
    {
        // A netns named by path outlives the container: nothing returns the device but delete.
        var netns = Path.Combine(_root, "netns-by-path");
        File.WriteAllText(netns, "");
        var k = new FakeRdmaKernel().Device("mlx5_0", 1, "host").Device("mlx5_1", 2, "container");
        var r = KilledCreate(netns, "mlx5_1");
        using (Route(k)) RdmaNetnsMove.ReturnOnDelete(r);
        Assert.Equal("host", k.Where("mlx5_1"));
        // Is it still there, then the move's own lookup by name, the move, and the check on the host.
        Assert.Equal(["dump container", "dump container", "move mlx5_1 from container to host", "dump host"], k.Log);
    }

    [Fact]
    public void a_device_recorded_but_never_moved_is_found_on_the_host()
    {
        // Killed between the record and the move: nothing to move back, and delete --force succeeds.
        var netns = Path.Combine(_root, "netns-by-path");
        File.WriteAllText(netns, "");
        var k = new FakeRdmaKernel().Device("mlx5_0", 1, "host");
        var r = KilledCreate(netns, "mlx5_0");
        using (Route(k)) RdmaNetnsMove.ReturnOnDelete(r);
        Assert.Equal(["dump container", "dump host"], k.Log);
    }

    [Fact]
    public void a_device_that_never_comes_back_fails_delete_naming_it()
    {
        var k = new FakeRdmaKernel().Device("mlx5_0", 1, "container");
        var r = KilledCreate("/proc/4242/ns/net", "mlx5_0");
        var before = RdmaNetnsMove.ReturnTimeout;
        RdmaNetnsMove.ReturnTimeout = TimeSpan.FromMilliseconds(300);
        try
        {
            using (Route(k))
            {
                var e = Assert.Throws<RuntimeError>(() => RdmaNetnsMove.ReturnOnDelete(r));
                Assert.StartsWith("rdma: device mlx5_0 did not return to the host network namespace within 0 s", e.Message);
            }
        }
        finally { RdmaNetnsMove.ReturnTimeout = before; }
    }

    [Fact]
    public void create_records_the_devices_before_the_first_one_moves()
    {
        // A process in a network namespace of its own stands in for the container's init (needs root, as CI is).
        using var init = System.Diagnostics.Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "30"]))!;
        try
        {
            for (int i = 0; i < 100 && new FileInfo($"/proc/{init.Id}/ns/net").LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget; i++)
                Thread.Sleep(20);
            Assert.False(init.HasExited, "unshare --net failed (the test needs root)");
            var k = new FakeRdmaKernel().Device("mlx5_0", 1, "host").Device("mlx5_1", 2, "host");
            var spec = new Spec { Linux = new Linux { Namespaces = [new LinuxNamespace { Type = "network" }] } };
            List<string> seen = [];
            using (Route(k))
            {
                var move = RdmaNetnsMove.IntoContainer(["mlx5_1"], spec, init.Id, devices =>
                {
                    seen.Add($"recorded {string.Join(",", devices)} with {k.Log.Count(l => l.StartsWith("move"))} moves done");
                });
                Assert.NotNull(move);
                Assert.Equal(["recorded mlx5_1 with 0 moves done"], seen);
                Assert.Equal("container", k.Where("mlx5_1"));
                Assert.Equal("mlx5_1", spec.Annotations![RdmaNetnsMove.MovedAnnotation]);
                move!.Release(); // create failed later: the device comes back
                Assert.Equal("host", k.Where("mlx5_1"));
            }
        }
        finally { init.Kill(); init.WaitForExit(); }
    }
}
