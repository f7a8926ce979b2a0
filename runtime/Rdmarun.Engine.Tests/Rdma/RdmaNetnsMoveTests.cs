using Rdmarun.Engine.Container;
using Rdmarun.Engine.Rdma;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>The cases where nothing may move (the moves themselves need a kernel in exclusive mode: kernel lab).</summary>
public sealed class RdmaNetnsMoveTests
{
    static Spec WithNamespaces(params string[] types) => new()
    {
        Linux = new Linux { Namespaces = types.Select(t => new LinuxNamespace { Type = t }).ToList() },
    };

    [Fact]
    public void nothing_granted_moves_nothing()
        => Assert.Null(RdmaNetnsMove.IntoContainer([], WithNamespaces("network"), Environment.ProcessId));

    [Fact]
    public void a_container_in_the_runtimes_netns_moves_nothing()
    {
        var spec = WithNamespaces("mount", "pid");
        Assert.Null(RdmaNetnsMove.IntoContainer(["rxe0"], spec, Environment.ProcessId));
        Assert.Null(spec.Annotations);
    }

    [Fact]
    public void a_netns_path_that_is_the_runtimes_own_moves_nothing()
        => Assert.Null(RdmaNetnsMove.IntoContainer(["rxe0"], WithNamespaces("network"), Environment.ProcessId));

    [Fact]
    public void delete_without_moved_devices_does_nothing()
        => RdmaNetnsMove.ReturnOnDelete(new ContainerRecord { Id = "c1", Annotations = new() { ["org.rdmarun.rdma.granted"] = "rxe0" } });
}
