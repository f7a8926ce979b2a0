using System.Text.Json.Nodes;

namespace Rdmarun.OciSpec.Tests;

/// <summary>Access to TestData files and JSON comparison that reports where documents differ.</summary>
static class Fixtures
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    public static JsonNode Node(string json) => JsonNode.Parse(json)!;
    public static JsonNode Node(byte[] utf8) => JsonNode.Parse(utf8)!;

    /// <summary>Asserts semantic equality (member order ignored); on failure shows both documents.</summary>
    public static void AssertSameJson(JsonNode expected, JsonNode actual)
    {
        if (!JsonNode.DeepEquals(expected, actual))
            Assert.Fail($"json differs\nexpected:\n{expected.ToJsonString()}\nactual:\n{actual.ToJsonString()}");
    }
}
