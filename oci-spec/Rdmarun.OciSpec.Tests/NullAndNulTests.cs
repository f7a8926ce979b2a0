using System.Text;

namespace Rdmarun.OciSpec.Tests;

/// <summary>Inputs the fuzz properties found crashing the validator, now refused with their JSON path.</summary>
public class NullAndNulTests
{
    private static string Reject(string json) =>
        Assert.Throws<SpecException>(() => SpecJson.ParseSpec(Encoding.UTF8.GetBytes(json), "config.json")).Message;

    [Fact]
    public void A_null_array_element_is_refused_with_its_path() =>
        Assert.Equal("config.json: $.mounts[1].options[0]: must not be null",
            Reject("""{"ociVersion":"1.0.0","mounts":[{"destination":"/a"},{"destination":"/b","options":[null]}]}"""));

    [Fact]
    public void A_null_capability_is_refused_with_its_path() =>
        Assert.Equal("config.json: $.process.capabilities.bounding[2]: must not be null",
            Reject("""{"ociVersion":"1.0.0","process":{"cwd":"/","args":["sh"],"capabilities":{"bounding":["CAP_KILL","CAP_CHOWN",null]}}}"""));

    [Fact]
    public void A_null_annotation_value_is_refused_with_its_path() =>
        Assert.Equal("config.json: $.annotations.a: must not be null",
            Reject("""{"ociVersion":"1.0.0","annotations":{"a":null}}"""));

    [Fact]
    public void A_nul_character_in_a_string_is_refused_with_its_path() =>
        Assert.Equal("config.json: $.root.path: contains a NUL character",
            Reject("""{"ociVersion":"1.0.0","root":{"path":"root\u0000fs"}}"""));

    [Fact]
    public void Nulls_where_the_spec_allows_them_are_still_accepted()
    {
        var spec = SpecJson.ParseSpec(Encoding.UTF8.GetBytes("""{"ociVersion":"1.0.0","hostname":null,"linux":{"resources":null}}"""));
        Assert.Null(spec.Hostname);
    }
}
