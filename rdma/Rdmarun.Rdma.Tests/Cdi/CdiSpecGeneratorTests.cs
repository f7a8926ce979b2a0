using System.Text.Json;
using Rdmarun.Rdma.Cdi;

namespace Rdmarun.Rdma.Tests.Cdi;

/// <summary>`rdmarun cdi generate` against the fixture hosts: what a CDI-aware engine reads, and every refusal.</summary>
public sealed class CdiSpecGeneratorTests
{
    static RdmaInventory Inventory(SysfsFixture f) => new SysfsRdmaDiscovery(f.Root).Discover();

    /// <summary>device name → its nodes as "path c major:minor".</summary>
    static Dictionary<string, List<string>> Devices(JsonElement spec)
        => spec.GetProperty("devices").EnumerateArray().ToDictionary(
            d => d.GetProperty("name").GetString()!,
            d => Nodes(d.GetProperty("containerEdits")));

    static List<string> Nodes(JsonElement edits)
        => edits.TryGetProperty("deviceNodes", out var n)
            ? n.EnumerateArray().Select(x => $"{x.GetProperty("path").GetString()} {x.GetProperty("type").GetString()} {x.GetProperty("major").GetInt32()}:{x.GetProperty("minor").GetInt32()}").ToList()
            : [];

    [Fact]
    public void the_lab_host_spec_is_exactly_this()
    {
        using var lab = SysfsFixture.RxeLab();
        var json = CdiSpecGenerator.Generate(Inventory(lab), new CdiOptions(HookPath: "/usr/local/bin/rdmarun"));
        Assert.Equal("""
            {
              "cdiVersion": "0.5.0",
              "kind": "rdmarun.io/rdma",
              "devices": [
                {
                  "name": "rxe0",
                  "containerEdits": {
                    "deviceNodes": [
                      {
                        "path": "/dev/infiniband/uverbs0",
                        "type": "c",
                        "major": 231,
                        "minor": 192,
                        "fileMode": 438,
                        "permissions": "rw"
                      }
                    ]
                  }
                },
                {
                  "name": "all",
                  "containerEdits": {
                    "deviceNodes": [
                      {
                        "path": "/dev/infiniband/uverbs0",
                        "type": "c",
                        "major": 231,
                        "minor": 192,
                        "fileMode": 438,
                        "permissions": "rw"
                      }
                    ]
                  }
                }
              ],
              "containerEdits": {
                "deviceNodes": [
                  {
                    "path": "/dev/infiniband/rdma_cm",
                    "type": "c",
                    "major": 10,
                    "minor": 124,
                    "fileMode": 438,
                    "permissions": "rw"
                  }
                ],
                "hooks": [
                  {
                    "hookName": "createRuntime",
                    "path": "/usr/local/bin/rdmarun",
                    "args": [
                      "rdmarun",
                      "rdma-hook",
                      "createRuntime"
                    ]
                  },
                  {
                    "hookName": "createContainer",
                    "path": "/usr/local/bin/rdmarun",
                    "args": [
                      "rdmarun",
                      "rdma-hook",
                      "createContainer"
                    ]
                  },
                  {
                    "hookName": "poststop",
                    "path": "/usr/local/bin/rdmarun",
                    "args": [
                      "rdmarun",
                      "rdma-hook",
                      "poststop"
                    ]
                  }
                ]
              }
            }

            """, json);
    }

    [Fact]
    public void each_hca_gets_only_its_own_uverbs_node_and_all_gets_every_one()
    {
        using var hpc = SysfsFixture.HpcHost();
        using var doc = JsonDocument.Parse(CdiSpecGenerator.Generate(Inventory(hpc), new CdiOptions()));
        var devices = Devices(doc.RootElement);
        Assert.Equal(["all", "mlx4_0", "mlx5_0", "mlx5_1", "mlx5_10", "mlx5_11", "mlx5_2", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_7", "mlx5_8", "mlx5_9"], devices.Keys.Order(StringComparer.Ordinal));
        // uverbs numbers are not in name order: mlx5_1 is uverbs10, mlx5_10 is uverbs1.
        Assert.Equal(["/dev/infiniband/uverbs10 c 231:202"], devices["mlx5_1"]);
        Assert.Equal(["/dev/infiniband/uverbs1 c 231:193"], devices["mlx5_10"]);
        Assert.Equal(13, devices["all"].Count);
        Assert.DoesNotContain(devices.Values.SelectMany(n => n), n => n.Contains("umad") || n.Contains("issm"));
        Assert.Equal(["/dev/infiniband/rdma_cm c 10:57"], Nodes(doc.RootElement.GetProperty("containerEdits")));
        Assert.False(doc.RootElement.GetProperty("containerEdits").TryGetProperty("hooks", out _));
    }

    [Fact]
    public void mad_and_issm_nodes_only_when_asked()
    {
        using var hpc = SysfsFixture.HpcHost();
        using var mad = JsonDocument.Parse(CdiSpecGenerator.Generate(Inventory(hpc), new CdiOptions(Umad: true)));
        Assert.Equal(["/dev/infiniband/uverbs0 c 231:192", "/dev/infiniband/umad0 c 231:0"], Devices(mad.RootElement)["mlx5_0"]);
        using var both = JsonDocument.Parse(CdiSpecGenerator.Generate(Inventory(hpc), new CdiOptions(Umad: true, Issm: true)));
        Assert.Equal(["/dev/infiniband/uverbs0 c 231:192", "/dev/infiniband/umad0 c 231:0", "/dev/infiniband/issm0 c 231:64"], Devices(both.RootElement)["mlx5_0"]);
        // The RoCE port has a umad node but no issm: nothing invented.
        Assert.Equal(["/dev/infiniband/uverbs11 c 231:203", "/dev/infiniband/umad11 c 231:11"], Devices(both.RootElement)["mlx5_11"]);
    }

    [Fact]
    public void a_custom_kind_is_used_as_given()
    {
        using var lab = SysfsFixture.RxeLab();
        using var doc = JsonDocument.Parse(CdiSpecGenerator.Generate(Inventory(lab), new CdiOptions(Kind: "example.com/hca")));
        Assert.Equal("example.com/hca", doc.RootElement.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("rdma", "cdi: kind 'rdma' must be vendor/class, e.g. rdmarun.io/rdma")]
    [InlineData("a/b/c", "cdi: kind 'a/b/c' must be vendor/class, e.g. rdmarun.io/rdma")]
    [InlineData("/rdma", "cdi: kind '/rdma' must be vendor/class, e.g. rdmarun.io/rdma")]
    [InlineData("rdmarun_io/rdma", "cdi: kind 'rdmarun_io/rdma': vendor 'rdmarun_io' is not a DNS subdomain (letters, digits, '-' and '.')")]
    [InlineData("rdmarun..io/rdma", "cdi: kind 'rdmarun..io/rdma': vendor 'rdmarun..io' is not a DNS subdomain (letters, digits, '-' and '.')")]
    [InlineData("rdmarun.io/", "cdi: kind 'rdmarun.io/': class '' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")]
    [InlineData("rdmarun.io/rdma-", "cdi: kind 'rdmarun.io/rdma-': class 'rdma-' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")]
    [InlineData("rdmarun.io/rd ma", "cdi: kind 'rdmarun.io/rd ma': class 'rd ma' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")]
    public void a_kind_outside_the_cdi_rules_is_refused(string kind, string message)
    {
        using var lab = SysfsFixture.RxeLab();
        Assert.Equal(message, Assert.Throws<CdiException>(() => CdiSpecGenerator.Generate(Inventory(lab), new CdiOptions(Kind: kind))).Message);
    }

    [Fact]
    public void a_host_without_rdma_devices_is_refused()
    {
        using var empty = new SysfsFixture();
        Assert.Equal("cdi: no RDMA device on this host (/sys/class/infiniband is empty)",
            Assert.Throws<CdiException>(() => CdiSpecGenerator.Generate(Inventory(empty), new CdiOptions())).Message);
    }

    [Fact]
    public void devices_without_uverbs_nodes_are_refused_naming_them()
    {
        using var f = new SysfsFixture();
        f.Device("rxe0", "183a:7bff:fe53:b979").Port("rxe0", 1, linkLayer: "Ethernet");
        Assert.Equal("cdi: no RDMA device has a uverbs node (rxe0); is ib_uverbs loaded?",
            Assert.Throws<CdiException>(() => CdiSpecGenerator.Generate(Inventory(f), new CdiOptions())).Message);
    }

    [Fact]
    public void a_device_named_all_is_refused()
    {
        using var f = new SysfsFixture();
        f.Device("all", "0000:0000:0000:0001").Uverbs(0, "all");
        Assert.Equal("cdi: an RDMA device is named 'all', which the spec uses for every device",
            Assert.Throws<CdiException>(() => CdiSpecGenerator.Generate(Inventory(f), new CdiOptions())).Message);
    }
}
