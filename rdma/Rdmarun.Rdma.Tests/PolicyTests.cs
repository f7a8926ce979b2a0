namespace Rdmarun.Rdma.Tests;

public class PolicyTests
{
    const string Sample = """
        // rdmarun policy for an HPC node
        {
          "devices": {
            "mlx5_0": { "pkeys": ["0x8001", "0x0002"], "maxHcaHandles": 8, "mad": true },
            "mlx5_1": {},
            "*": { "pkeys": [] }
          },
          "sm": false,
          "defaultHcaHandles": 4,
          "defaultHcaObjects": 10000,
          "maxHcaHandles": 16,
          "maxHcaObjects": 100000,
          "memlock": "64g",
          "maxMemlock": "unlimited",
        }
        """;

    [Fact]
    public void parses_every_field()
    {
        var p = RdmaPolicy.Parse(Sample, "/etc/rdmarun/rdma.json");
        Assert.Equal("/etc/rdmarun/rdma.json", p.Source);
        Assert.Equal(["*", "mlx5_0", "mlx5_1"], p.AllowedNames);
        var mlx50 = p.ForDevice("mlx5_0")!;
        Assert.Equal([0x8001, 0x0002], mlx50.Pkeys!.Select(k => (int)k));
        Assert.True(p.MadAllowed(mlx50));
        Assert.False(p.SmAllowed(mlx50));
        Assert.Equal(8u, p.MaxHandles(mlx50));
        Assert.Equal(100000u, p.MaxObjects(mlx50));
        Assert.Equal(4u, p.DefaultHandles(mlx50));
        Assert.Equal(10000u, p.DefaultObjects(mlx50));
        Assert.Equal(64UL << 30, p.Memlock);
        Assert.Equal(Memlock.Unlimited, p.MaxMemlock);
        Assert.Null(p.ForDevice("mlx5_1")!.Pkeys);
        Assert.False(p.MadAllowed(p.ForDevice("mlx5_1")!));
    }

    [Fact]
    public void wildcard_applies_to_unlisted_devices_and_exact_names_win()
    {
        var p = RdmaPolicy.Parse(Sample, "x");
        Assert.Empty(p.ForDevice("mlx5_10")!.Pkeys!);
        Assert.Null(p.ForDevice("mlx5_1")!.Pkeys);
    }

    [Fact]
    public void without_a_wildcard_unlisted_devices_are_not_allowed()
    {
        var p = RdmaPolicy.Parse("""{ "devices": { "mlx5_1": {} } }""", "x");
        Assert.NotNull(p.ForDevice("mlx5_1"));
        Assert.Null(p.ForDevice("mlx5_10"));
        Assert.Null(p.ForDevice("mlx5_"));
    }

    [Fact]
    public void without_a_devices_section_every_device_is_allowed()
    {
        var p = RdmaPolicy.Parse("{}", "x");
        Assert.NotNull(p.ForDevice("anything"));
        Assert.False(p.Mad);
        Assert.Equal(Memlock.Unlimited, p.Memlock);
        Assert.Null(p.MaxMemlock);
    }

    [Fact]
    public void a_missing_file_gives_the_default_policy_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "rdma.json");
        var p = RdmaPolicy.Load(path);
        Assert.Equal($"{path} (absent: built-in defaults)", p.Source);
        Assert.Null(p.Devices);
        Assert.False(p.Mad);
    }

    [Fact]
    public void loads_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Sample);
            Assert.Equal(path, RdmaPolicy.Load(path).Source);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("""{ "devicez": {} }""", "rdma: policy /p.json: invalid at $.devicez: unknown key")]
    [InlineData("""{ "devices": { "mlx5_0": { "pkey": [] } } }""", "rdma: policy /p.json: invalid at $.devices.mlx5_0.pkey: unknown key")]
    [InlineData("""{ "maxHcaHandles": -1 }""", "rdma: policy /p.json: invalid at $.maxHcaHandles: expected a non-negative integer")]
    [InlineData("""{ "mad": "yes" }""", "rdma: policy /p.json: invalid at $.mad: expected true or false")]
    [InlineData("""{ "devices": { "mlx5_0": { "pkeys": "0x8001" } } }""", "rdma: policy /p.json: invalid at $.devices.mlx5_0.pkeys: expected an array of strings")]
    [InlineData("""{ "devices": { "mlx5_0": { "pkeys": ["0x8001", "zz"] } } }""", "rdma: policy /p.json: $.devices.mlx5_0.pkeys[1]: \"zz\" is not a 16-bit hex p_key")]
    [InlineData("""{ "memlock": "lots" }""", "rdma: policy /p.json: $.memlock: \"lots\" is neither \"unlimited\" nor a byte count")]
    [InlineData("""{ "maxMemlock": true }""", "rdma: policy /p.json: $.maxMemlock: true is neither \"unlimited\" nor a byte count")]
    [InlineData("null", "rdma: policy /p.json: the document is null")]
    [InlineData("{ \"devices\": ", "rdma: policy /p.json: invalid at $.devices: malformed json (line 1, byte 14)")]
    public void invalid_policies_name_the_file_and_json_path(string json, string messageStart)
    {
        var e = Assert.Throws<RdmaPolicyException>(() => RdmaPolicy.Parse(json, "/p.json"));
        Assert.StartsWith(messageStart, e.Message);
        Assert.False(e.Message.EndsWith('.'), e.Message);
    }

    [Theory]
    [InlineData("unlimited", ulong.MaxValue)]
    [InlineData("infinity", ulong.MaxValue)]
    [InlineData("65536", 65536UL)]
    [InlineData("64k", 65536UL)]
    [InlineData("8M", 8UL << 20)]
    [InlineData("64g", 64UL << 30)]
    [InlineData("64GB", 64UL << 30)]
    [InlineData("1t", 1UL << 40)]
    public void memlock_values(string text, ulong bytes)
    {
        Assert.True(Memlock.TryParse(text, out var v));
        Assert.Equal(bytes, v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("12q")]
    [InlineData("99999999999999999999t")]
    public void bad_memlock_values(string text) => Assert.False(Memlock.TryParse(text, out _));

    [Fact]
    public void memlock_as_a_json_number()
        => Assert.Equal(1048576UL, RdmaPolicy.Parse("""{ "memlock": 1048576 }""", "x").Memlock);

    [Theory]
    [InlineData(0x8001, 0x8001, true)]
    [InlineData(0x8001, 0x0001, true)]   // full membership allows limited
    [InlineData(0x0001, 0x8001, false)]  // limited never grants full
    [InlineData(0x0001, 0x0001, true)]
    [InlineData(0x8001, 0x8002, false)]
    public void pkey_coverage(int allowed, int requested, bool covered)
        => Assert.Equal(covered, Pkey.Covers((ushort)allowed, (ushort)requested));
}
