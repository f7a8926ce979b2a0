using Rdmarun.Engine.Rdma;

namespace Rdmarun.Engine.Tests.Rdma;

/// <summary>Which /sys/class entries the filter recreates (the mount itself is exercised in the kernel lab).</summary>
public sealed class RdmaSysfsFilterTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rdma-filter-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A class directory shaped like the real one: relative symlinks into ../../devices plus abi_version.</summary>
    string ClassDir(string name, params string[] links)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        foreach (var l in links) File.CreateSymbolicLink(Path.Combine(dir, l), $"../../devices/virtual/infiniband/{l}");
        File.WriteAllText(Path.Combine(dir, "abi_version"), "6\n");
        return dir;
    }

    [Fact]
    public void keeps_granted_links_with_the_host_target_and_copies_plain_files()
    {
        var host = ClassDir("host", "rxe0", "mlx5_0", "mlx5_10");
        var container = ClassDir("container", "rxe0", "mlx5_0", "mlx5_10");

        var plan = RdmaSysfsFilter.Plan(host, container, ["mlx5_1", "rxe0"]);

        Assert.Equal(["abi_version", "rxe0"], plan.Select(e => e.Name));
        Assert.Equal("../../devices/virtual/infiniband/rxe0", plan[1].LinkTarget);
        Assert.Equal("6\n", System.Text.Encoding.ASCII.GetString(plan[0].Content!));
    }

    [Fact]
    public void empty_grant_keeps_only_plain_files()
    {
        var host = ClassDir("host", "rxe0");
        Assert.Equal(["abi_version"], RdmaSysfsFilter.Plan(host, host, []).Select(e => e.Name));
    }

    [Fact]
    public void a_device_the_host_no_longer_lists_keeps_the_containers_target()
    {
        // Exclusive mode: a device already moved into the container's netns is gone from the host's class dir.
        var host = ClassDir("host");
        var container = ClassDir("container", "rxe0");
        var e = Assert.Single(RdmaSysfsFilter.Plan(host, container, ["rxe0"]), x => x.LinkTarget is not null);
        Assert.Equal("../../devices/virtual/infiniband/rxe0", e.LinkTarget);
    }

    [Fact]
    public void populate_recreates_links_and_files()
    {
        var host = ClassDir("host", "rxe0", "mlx5_0");
        var target = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        RdmaSysfsFilter.Populate(target, RdmaSysfsFilter.Plan(host, host, ["rxe0"]));
        Assert.Equal(["abi_version", "rxe0"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).Order());
        Assert.Equal("../../devices/virtual/infiniband/rxe0", new FileInfo(Path.Combine(target, "rxe0")).LinkTarget);
        Assert.Equal("6\n", File.ReadAllText(Path.Combine(target, "abi_version")));
    }
}
