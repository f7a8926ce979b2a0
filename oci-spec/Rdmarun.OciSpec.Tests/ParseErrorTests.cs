using System.Text;

namespace Rdmarun.OciSpec.Tests;

public class ParseErrorTests
{
    static SpecException ParseFails(string json, string source = "config.json") =>
        Assert.Throws<SpecException>(() => SpecJson.ParseSpec(Encoding.UTF8.GetBytes(json), source));

    [Theory]
    [InlineData("""{"ociVersion":"1.0","process":{"user":{"uid":"abc","gid":0},"cwd":"/"}}""",
        """config.json: $.process.user.uid: expected a number (uint32), got "abc" """)]
    [InlineData("""{"ociVersion":"1.0","process":{"user":{"uid":-1,"gid":0},"cwd":"/"}}""",
        "config.json: $.process.user.uid: expected a number (uint32), got -1")]
    [InlineData("""{"ociVersion":"1.0","mounts":[{"destination":"/a"},{"destination":"/b","options":"ro"}]}""",
        """config.json: $.mounts[1].options: expected an array, got "ro" """)]
    [InlineData("""{"ociVersion":"1.0","linux":{"resources":{"rdma":{"mlx5_0":{"hcaHandles":"x"}}}}}""",
        """config.json: $.linux.resources.rdma.mlx5_0.hcaHandles: expected a number (uint32), got "x" """)]
    [InlineData("""{"ociVersion":"1.0","linux":{"sysctl":{"net.ipv4.ip_forward":1}}}""",
        "config.json: $.linux.sysctl['net.ipv4.ip_forward']: expected a string, got 1")]
    [InlineData("""{"ociVersion":"1.0","process":{"terminal":1}}""",
        "config.json: $.process.terminal: expected true or false, got 1")]
    [InlineData("""{"ociVersion":"1.0","root":[1]}""",
        "config.json: $.root: expected an object, got an array")]
    [InlineData("""{"ociVersion":"1.0","linux":{"resources":{"cpu":{"shares":1.5}}}}""",
        "config.json: $.linux.resources.cpu.shares: expected a number (uint64), got 1.5")]
    [InlineData("""{"ociVersion":"1.0","linux":{"resources":{"memory":{"limit":"1G"}}}}""",
        """config.json: $.linux.resources.memory.limit: expected a number (int64), got "1G" """)]
    [InlineData("""{"ociVersion":"1.0","process":{"user":{"uid":0,"gid":0},"cwd":null}}""",
        "config.json: $.process.cwd: must not be null")]
    [InlineData("""{"ociVersion":"1.0","Process":{"User":{"UID":"0"}}}""",
        """config.json: $.Process.User.UID: expected a number (uint32), got "0" """)]
    public void Type_errors_name_the_path_the_expectation_and_the_value(string json, string expected)
    {
        var e = ParseFails(json);
        Assert.Equal(expected.TrimEnd(), e.Message);
        Assert.NotNull(e.JsonPath);
        Assert.StartsWith("$", e.JsonPath);
    }

    [Fact]
    public void Path_is_exposed_separately()
    {
        var e = ParseFails("""{"ociVersion":"1.0","linux":{"namespaces":[{"type":"pid"},{"type":7}]}}""");
        Assert.Equal("$.linux.namespaces[1].type", e.JsonPath);
        Assert.Equal("config.json: $.linux.namespaces[1].type: expected a string, got 7", e.Message);
    }

    [Fact]
    public void Long_values_are_shortened()
    {
        string big = new('a', 200);
        var e = ParseFails("""{"ociVersion":"1.0","root":{"path":"r","readonly":" """.TrimEnd() + big + "\"}}");
        Assert.Contains("got \"aaaa", e.Message);
        Assert.EndsWith("...", e.Message);
        Assert.True(e.Message.Length < 150, e.Message);
    }

    [Theory]
    [InlineData("""{"ociVersion":"1.0", "root": {"path": "x",}}""",
        "config.json: invalid json at line 1 column 43: the JSON object contains a trailing comma at the end which is not supported in this mode")]
    [InlineData("""{"ociVersion":"1.0", "root": {"path": "x"}""",
        "config.json: invalid json at line 1 column 43: unexpected end of data: an object or array is not closed")]
    [InlineData("", "config.json: invalid json at line 1 column 1: the document is empty")]
    [InlineData("{\n  \"ociVersion\": 'x'\n}", "config.json: invalid json at line 2 column 17: ''' is an invalid start of a value")]
    public void Syntax_errors_name_line_and_column(string json, string expected)
    {
        Assert.Equal(expected, ParseFails(json).Message);
    }

    [Theory]
    [InlineData("[1]", "config.json: $: expected an object, got an array")]
    [InlineData("\"str\"", "config.json: $: expected an object, got \"str\"")]
    [InlineData("""{"ociVersion":"1.0","process":{"user":{"uid":4294967296,"gid":0},"cwd":"/"}}""",
        "config.json: $.process.user.uid: expected a number (uint32), got 4294967296")]
    [InlineData("""{"ociVersion":"1.0","linux":{"timeOffsets":{"monotonic":{"secs":"1"}}}}""",
        "config.json: $.linux.timeOffsets.monotonic.secs: expected a number (int64), got \"1\"")]
    public void Wrong_shapes_are_named(string json, string expected)
    {
        Assert.Equal(expected, ParseFails(json).Message);
    }

    [Fact]
    public void Duplicate_members_take_the_last_value_like_go()
    {
        var spec = SpecJson.ParseSpec("""{"ociVersion":"1.0","ociVersion":"1.1","annotations":{"a":"1","a":"2"},"x":1,"x":2}"""u8);
        Assert.Equal("1.1", spec.Version);
        Assert.Equal("2", spec.Annotations!["a"]);
        Assert.Equal(2, spec.Extra!["x"].GetInt32());
    }

    [Fact]
    public void Null_document_is_rejected()
    {
        Assert.Equal("config.json: $: expected an object, got null", ParseFails("null").Message);
    }

    [Fact]
    public void Source_name_prefixes_the_message()
    {
        var e = Assert.Throws<SpecException>(() => SpecJson.ParseProcess("""{"user":{"uid":0,"gid":0},"cwd":"/","args":"sh"}"""u8));
        Assert.Equal("""process.json: $.args: expected an array, got "sh" """.TrimEnd(), e.Message);
        var s = Assert.Throws<SpecException>(() => SpecJson.ParseState("""{"ociVersion":"1","id":"a","pid":"1","status":"running","bundle":"/"}"""u8));
        Assert.Equal("""state: $.pid: expected a number (int32), got "1" """.TrimEnd(), s.Message);
    }

    [Fact]
    public void Parse_error_keeps_the_json_exception_as_inner()
    {
        var e = ParseFails("""{"ociVersion":3}""");
        Assert.IsType<System.Text.Json.JsonException>(e.InnerException, exactMatch: false);
    }

    [Fact]
    public void Missing_config_file_is_a_spec_exception()
    {
        string dir = Directory.CreateTempSubdirectory("ocispec").FullName;
        try
        {
            var e = Assert.Throws<SpecException>(() => SpecJson.LoadSpec(dir));
            Assert.StartsWith($"open {dir}/config.json: ", e.Message);
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"ociVersion":"1.0.0","root":{"path":"rootfs"}}""");
            Assert.Equal("rootfs", SpecJson.LoadSpec(dir).Root!.Path);
        }
        finally { Directory.Delete(dir, true); }
    }
}
