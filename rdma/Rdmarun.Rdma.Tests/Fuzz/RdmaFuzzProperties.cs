using System.Text;
using CsCheck;
using Rdmarun.Fuzz;

namespace Rdmarun.Rdma.Tests.Fuzz;

/// <summary>
/// Mutated policy files and random RDMA requests (annotations, environment, linux.resources.rdma):
/// parsing either succeeds or throws the library's own exception with a message that starts with
/// "rdma:" and names the file, annotation or variable at fault. Anything else fails.
/// Iterations: RDMARUN_FUZZ_ITERATIONS per property (scripts/fuzz.sh).
/// </summary>
public class RdmaFuzzProperties
{
    private const string Policy = """
        {
          "devices": { "mlx5_0": { "pkeys": ["0x8001"], "maxHcaHandles": 8, "mad": true }, "*": {} },
          "mad": false, "sm": false, "hideUngranted": true,
          "defaultHcaHandles": 4, "defaultHcaObjects": 10000,
          "maxHcaHandles": 64, "maxHcaObjects": 1000000,
          "memlock": "unlimited", "maxMemlock": "unlimited"
        }
        """;

    private static void AssertClear(Exception e, string mustName)
    {
        if (!e.Message.StartsWith("rdma: ", StringComparison.Ordinal) || !e.Message.Contains(mustName, StringComparison.Ordinal))
            throw new Exception($"unclear rejection (should start with \"rdma:\" and name {mustName}): {e.Message}");
        if (e.Message.Contains("System.")) throw new Exception($".NET type name in a user message: {e.Message}");
    }

    [Fact]
    public void Mutated_policy_files_parse_or_are_rejected_naming_the_file_and_json_path() =>
        Gen.Int.Sample(seed =>
        {
            var input = JsonMutator.Mutate(Policy, seed);
            string text = Encoding.UTF8.GetString(input);
            try { RdmaPolicy.Parse(text, "/etc/rdmarun/rdma.json"); }
            catch (RdmaPolicyException e) { AssertClear(e, "/etc/rdmarun/rdma.json"); }
        }, iter: JsonMutator.Iterations());

    private static readonly string[] Words =
    [
        "mlx5_0", "mlx5_1", "rxe0", "all", "none", "", " ", ",", "mlx5_0,mlx5_1", "all,mlx5_0", "../x", "a b", "0x8001", "0x0001",
        "mlx5_0:0x8001", "0xffff", "0x0000", "-1", "4294967296", "10", "true", "false", "sm", "unlimited", "1g", "64m", "1x",
        "\0", "é", new string('m', 300),
    ];

    private static readonly Gen<string> Word = Gen.Int[0, Words.Length - 1].Select(i => Words[i]);
    private static readonly Gen<string> Value = Gen.OneOf(Word, Gen.Select(Word, Word, (a, b) => a + "," + b), Gen.String);

    [Fact]
    public void Random_requests_parse_or_are_rejected_naming_the_annotation_or_variable()
    {
        string[] keys = [RdmaRequestParser.DevicesAnnotation, RdmaRequestParser.PkeysAnnotation, RdmaRequestParser.HcaHandlesAnnotation,
            RdmaRequestParser.HcaObjectsAnnotation, RdmaRequestParser.MadAnnotation, RdmaRequestParser.MemlockAnnotation, "org.other"];
        var annotations = Gen.Dictionary(Gen.Int[0, keys.Length - 1].Select(i => keys[i]), Value)[0, 4];
        var env = Gen.OneOf(Value.Select(v => "RDMA_VISIBLE_DEVICES=" + v), Value.Select(v => "RDMA_PKEYS=" + v), Value).Array[0, 3];
        var limits = Gen.Dictionary(Value, Gen.Select(Gen.UInt.Nullable(), Gen.UInt.Nullable(), (h, o) => new RdmaLimit(h, o)))[0, 2];
        Gen.Select(limits, annotations, env).Sample(t =>
        {
            var (l, a, e) = t;
            try { RdmaRequestParser.Parse(l, a, e); }
            catch (RdmaRequestException x)
            {
                bool named = x.Message.Contains("annotation org.rdmarun.rdma.") || x.Message.Contains("env RDMA_")
                             || x.Message.Contains("linux.resources.rdma");
                if (!named) throw new Exception($"rejection names no annotation, variable or spec path: {x.Message}");
                AssertClear(x, "rdma");
            }
        }, iter: JsonMutator.Iterations());
    }
}
