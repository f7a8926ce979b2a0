namespace Rdmarun.Rdma.Tests;

public class RequestTests
{
    static Dictionary<string, string> A(params (string K, string V)[] kv) => kv.ToDictionary(x => x.K, x => x.V);

    [Fact]
    public void nothing_asked_is_an_empty_request()
    {
        var r = RdmaRequestParser.Parse(null, null, ["PATH=/bin"]);
        Assert.True(r.IsEmpty);
        Assert.Equal(RdmaDeviceSelection.Unspecified, r.Selection);
    }

    [Fact]
    public void spec_limits_name_the_devices_when_nothing_else_does()
    {
        var r = RdmaRequestParser.Parse(new Dictionary<string, RdmaLimit> { ["mlx5_1"] = new(3, 10000), ["mlx5_0"] = new(null, 5) }, null, null);
        Assert.Equal(RdmaDeviceSelection.Listed, r.Selection);
        Assert.Equal(["mlx5_0", "mlx5_1"], r.Devices);
        Assert.Equal("linux.resources.rdma", r.DevicesSource);
        Assert.Equal(new RdmaLimit(3, 10000), r.Limits["mlx5_1"]);
    }

    [Fact]
    public void annotation_wins_over_env_and_spec()
    {
        var r = RdmaRequestParser.Parse(
            new Dictionary<string, RdmaLimit> { ["mlx5_3"] = new(1, 1) },
            A(("org.rdmarun.rdma.devices", " mlx5_1 , mlx5_10,mlx5_1")),
            ["RDMA_VISIBLE_DEVICES=mlx5_2"]);
        Assert.Equal(["mlx5_1", "mlx5_10"], r.Devices);
        Assert.Equal("annotation org.rdmarun.rdma.devices", r.DevicesSource);
        Assert.True(r.Limits.ContainsKey("mlx5_3"));
    }

    [Fact]
    public void env_is_used_without_the_annotation_and_the_last_definition_wins()
    {
        var r = RdmaRequestParser.Parse(null, null, ["RDMA_VISIBLE_DEVICES=mlx5_2", "RDMA_VISIBLE_DEVICES=mlx5_4", "RDMA_PKEYS=0x8001,mlx5_4:0x0002"]);
        Assert.Equal(["mlx5_4"], r.Devices);
        Assert.Equal("env RDMA_VISIBLE_DEVICES", r.DevicesSource);
        Assert.Equal([new RequestedPkey(null, 0x8001), new RequestedPkey("mlx5_4", 0x0002)], r.Pkeys);
        Assert.Equal("env RDMA_PKEYS", r.PkeysSource);
    }

    [Theory]
    [InlineData("all", RdmaDeviceSelection.All)]
    [InlineData("none", RdmaDeviceSelection.None)]
    [InlineData("void", RdmaDeviceSelection.None)]
    [InlineData("", RdmaDeviceSelection.None)]
    [InlineData("mlx5_0", RdmaDeviceSelection.Listed)]
    public void device_selection_keywords(string value, RdmaDeviceSelection selection)
        => Assert.Equal(selection, RdmaRequestParser.Parse(null, A(("org.rdmarun.rdma.devices", value)), null).Selection);

    [Fact]
    public void all_other_annotations()
    {
        var r = RdmaRequestParser.Parse(null, A(
            ("org.rdmarun.rdma.pkeys", "0x8001, mlx5_0:8002"),
            ("org.rdmarun.rdma.hca-handles", "2"),
            ("org.rdmarun.rdma.hca-objects", "max"),
            ("org.rdmarun.rdma.mad", "true"),
            ("org.rdmarun.rdma.memlock", "unlimited")), ["RDMA_PKEYS=0x9999"]);
        Assert.Equal([new RequestedPkey(null, 0x8001), new RequestedPkey("mlx5_0", 0x8002)], r.Pkeys);
        Assert.Equal(2u, r.HcaHandles);
        Assert.Null(r.HcaObjects);
        Assert.Equal(RdmaMadAccess.Umad, r.Mad);
        Assert.Equal(Memlock.Unlimited, r.Memlock);
        Assert.False(r.IsEmpty);
    }

    [Theory]
    [InlineData("false", RdmaMadAccess.None)]
    [InlineData("TRUE", RdmaMadAccess.Umad)]
    [InlineData("sm", RdmaMadAccess.UmadAndIssm)]
    public void mad_values(string value, RdmaMadAccess mad)
        => Assert.Equal(mad, RdmaRequestParser.Parse(null, A(("org.rdmarun.rdma.mad", value)), null).Mad);

    [Theory]
    [InlineData("org.rdmarun.rdma.devices", "mlx5_0,all", "rdma: annotation org.rdmarun.rdma.devices: \"all\" cannot be combined with device names in \"mlx5_0,all\"")]
    [InlineData("org.rdmarun.rdma.devices", "../etc", "rdma: annotation org.rdmarun.rdma.devices: \"../etc\" is not a valid rdma device name")]
    [InlineData("org.rdmarun.rdma.pkeys", "0x18001", "rdma: annotation org.rdmarun.rdma.pkeys: \"0x18001\" is not a p_key (expected 0x0001-0x7fff with an optional high bit, e.g. 0x8001 or mlx5_0:0x8001)")]
    [InlineData("org.rdmarun.rdma.pkeys", "0x8000", "rdma: annotation org.rdmarun.rdma.pkeys: \"0x8000\" is not a p_key (expected 0x0001-0x7fff with an optional high bit, e.g. 0x8001 or mlx5_0:0x8001)")]
    [InlineData("org.rdmarun.rdma.hca-handles", "-1", "rdma: annotation org.rdmarun.rdma.hca-handles: \"-1\" is not a non-negative integer or \"max\"")]
    [InlineData("org.rdmarun.rdma.hca-objects", "lots", "rdma: annotation org.rdmarun.rdma.hca-objects: \"lots\" is not a non-negative integer or \"max\"")]
    [InlineData("org.rdmarun.rdma.mad", "maybe", "rdma: annotation org.rdmarun.rdma.mad: \"maybe\" is not true, false or sm")]
    [InlineData("org.rdmarun.rdma.memlock", "much", "rdma: annotation org.rdmarun.rdma.memlock: \"much\" is neither \"unlimited\" nor a byte count (e.g. 64g)")]
    public void invalid_annotations_say_which_and_why(string key, string value, string message)
        => Assert.Equal(message, Assert.Throws<RdmaRequestException>(() => RdmaRequestParser.Parse(null, A((key, value)), null)).Message);

    [Fact]
    public void invalid_spec_device_names_are_refused()
    {
        var e = Assert.Throws<RdmaRequestException>(() => RdmaRequestParser.Parse(new Dictionary<string, RdmaLimit> { ["a/b"] = new(1, 1) }, null, null));
        Assert.Equal("rdma: linux.resources.rdma: \"a/b\" is not a valid rdma device name", e.Message);
    }
}
