using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Rdmarun.Fuzz;

namespace Rdmarun.OciSpec.Tests.Fuzz;

/// <summary>
/// Mutated config.json, process.json, state.json and annotations: parsing (and validating) either
/// succeeds or throws <see cref="SpecException"/> whose message names the source and either a JSON
/// path or the line and column of a syntax error. Anything else (an unhandled exception) fails.
/// Iterations: RDMARUN_FUZZ_ITERATIONS per property (scripts/fuzz.sh runs a million in all).
/// </summary>
public class SpecFuzzProperties
{
    private static readonly string Config = SpecJson.Serialize(SpecDefaults.Create(rootless: false, cgroup2: false, 0, 0));
    private static readonly string ProcessJson = SpecJson.Serialize(SpecDefaults.Create(rootless: false, cgroup2: false, 0, 0).Process!);
    private static readonly string StateJson = """
        {"ociVersion":"1.2.1","id":"c1","status":"running","pid":42,"bundle":"/b","annotations":{"a":"b"}}
        """;

    /// <summary>The message of a rejection: "source: $.path: why", "source: N problems: ...", or "source: invalid json at line L column C: why".</summary>
    private static void AssertClear(SpecException e, string source, byte[] input)
    {
        bool named = e.Message.StartsWith(source + ": $", StringComparison.Ordinal)
                     || e.Message.StartsWith(source + ": invalid json at line ", StringComparison.Ordinal)
                     || System.Text.RegularExpressions.Regex.IsMatch(e.Message, $"^{source}: \\d+ problems: \\$")
                     || e.Message.StartsWith("open ", StringComparison.Ordinal);
        if (!named) throw new Exception($"unclear rejection: {e.Message}\ninput: {Encoding.UTF8.GetString(input)[..Math.Min(400, input.Length)]}");
        if (e.Message.Contains("System.") || e.Message.Contains("Rdmarun.")) throw new Exception($".NET type name in a user message: {e.Message}");
    }

    private static void Check(string baseJson, string source, Action<byte[]> parse) =>
        Gen.Int.Sample(seed =>
        {
            var input = JsonMutator.Mutate(baseJson, seed);
            try { parse(input); }
            catch (SpecException e) { AssertClear(e, source, input); }
        }, iter: JsonMutator.Iterations());

    [Fact]
    public void Mutated_config_json_parses_and_validates_or_is_rejected_naming_the_json_path() =>
        Check(Config, "config.json", b =>
        {
            var spec = SpecJson.ParseSpec(b, "config.json");
            SpecValidator.ValidateOrThrow(spec, "/nonexistent-bundle");
            SpecJson.ParseSpec(SpecJson.SerializeToUtf8(spec), "config.json"); // what we accept, we can write back and read again
        });

    [Fact]
    public void Mutated_process_json_parses_and_validates_or_is_rejected_naming_the_json_path() =>
        Check(ProcessJson, "process.json", b =>
        {
            var p = SpecJson.ParseProcess(b, "process.json");
            SpecValidator.ThrowIfErrors(SpecValidator.ValidateProcess(p), "process.json");
        });

    [Fact]
    public void Mutated_state_json_parses_or_is_rejected_naming_the_json_path() =>
        Check(StateJson, "state", b => SpecJson.ParseState(b, "state"));

    [Fact]
    public void Random_annotations_parse_or_are_rejected_naming_the_json_path()
    {
        var keys = Gen.OneOf(Gen.Const("org.rdmarun.rdma.devices"), Gen.Const("org.rdmarun.rdma.mad"), Gen.Const("io.kubernetes.cri.sandbox-id"), Gen.String);
        var values = Gen.OneOf<JsonNode?>(Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)), Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Const((JsonNode?)null), Gen.Bool.Select(x => (JsonNode?)JsonValue.Create(x)), Gen.Const(() => (JsonNode?)new JsonArray()));
        Gen.Dictionary(keys, values)[0, 6].Sample(annotations =>
        {
            var doc = JsonNode.Parse(Config)!.AsObject();
            doc["annotations"] = new JsonObject(annotations.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
            var input = Encoding.UTF8.GetBytes(doc.ToJsonString());
            try
            {
                var spec = SpecJson.ParseSpec(input, "config.json");
                SpecValidator.ValidateOrThrow(spec, "/nonexistent-bundle");
                Assert.Equal(annotations.Count, spec.Annotations?.Count ?? 0);
            }
            catch (SpecException e) { AssertClear(e, "config.json", input); }
        }, iter: JsonMutator.Iterations());
    }
}
