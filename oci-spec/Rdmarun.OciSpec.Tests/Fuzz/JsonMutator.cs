using System.Text;
using System.Text.Json.Nodes;

namespace Rdmarun.Fuzz;

/// <summary>
/// Deterministic mutations of a valid JSON document, driven by one seed (CsCheck generates the
/// seeds and reports the failing one): values replaced by other types, extremes and odd strings,
/// keys removed or added, deep nesting, and byte-level damage (truncation, flipped and inserted bytes).
/// Shared by the oci-spec and rdma property tests (linked source).
/// </summary>
public static class JsonMutator
{
    private static readonly string[] OddStrings =
    [
        "", " ", "../../etc/passwd", "/", "a/b", "..", "\0", "line\nbreak", "\u00e9\u4e2d\ud83d\ude00", "\ud800", "-1", "0x8001",
        "unlimited", "all", "none", "true", "SCMP_ACT_ALLOW", "CAP_SYS_ADMIN", "mlx5_0", "mlx5_0,mlx5_1", "RDMA_VISIBLE_DEVICES=mlx5_0",
        new string('x', 5000), "%s%n", "${HOME}", "\"quoted\"", "key=value",
    ];

    public static byte[] Mutate(string json, int seed)
    {
        var rng = new Random(seed);
        if (rng.Next(4) == 0) return DamageBytes(Encoding.UTF8.GetBytes(json), rng);
        var root = JsonNode.Parse(json)!;
        int ops = 1 + rng.Next(3);
        for (int i = 0; i < ops; i++) root = MutateTree(root, rng) ?? JsonValue.Create(0);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static JsonNode? MutateTree(JsonNode root, Random rng)
    {
        var all = new List<JsonNode>();
        Collect(root, all);
        var target = all[rng.Next(all.Count)];
        if (target == root) return rng.Next(8) == 0 ? RandomValue(rng, 0) : root;
        var parent = target.Parent!;
        switch (rng.Next(5))
        {
            case 0 when parent is JsonObject o:
                o.Remove(target.GetPropertyName());
                break;
            case 1 when parent is JsonObject o:
                o[OddStrings[rng.Next(OddStrings.Length)] + rng.Next(100)] = RandomValue(rng, 0);
                break;
            case 2 when parent is JsonArray a:
                a.Add(RandomValue(rng, 0));
                break;
            default:
                Replace(target, RandomValue(rng, 0));
                break;
        }
        return root;
    }

    private static void Replace(JsonNode target, JsonNode? value)
    {
        if (target.Parent is JsonObject o) o[target.GetPropertyName()] = value;
        else if (target.Parent is JsonArray a) a[target.GetElementIndex()] = value;
    }

    private static void Collect(JsonNode? n, List<JsonNode> all)
    {
        if (n is null) return;
        all.Add(n);
        if (n is JsonObject o) foreach (var (_, v) in o) Collect(v, all);
        else if (n is JsonArray a) foreach (var v in a) Collect(v, all);
    }

    private static JsonNode? RandomValue(Random rng, int depth) => rng.Next(14) switch
    {
        0 => null,
        1 => JsonValue.Create(rng.Next(2) == 0),
        2 => JsonValue.Create(rng.Next(-5, 70000)),
        3 => JsonValue.Create(long.MinValue + rng.Next(3)),
        4 => JsonValue.Create(ulong.MaxValue - (ulong)rng.Next(3)),
        5 => JsonValue.Create(rng.NextDouble() * 1e300),
        6 => JsonValue.Create(-1),
        7 or 8 or 9 => JsonValue.Create(OddStrings[rng.Next(OddStrings.Length)]),
        10 when depth < 4 => new JsonArray(Enumerable.Range(0, rng.Next(4)).Select(_ => RandomValue(rng, depth + 1)).ToArray()),
        11 when depth < 4 => new JsonObject(Enumerable.Range(0, rng.Next(4)).Select(i =>
            KeyValuePair.Create(OddStrings[rng.Next(OddStrings.Length)] + i, RandomValue(rng, depth + 1)))),
        12 => Nested(rng.Next(10, 200)),
        _ => JsonValue.Create(rng.Next()),
    };

    private static JsonNode Nested(int depth)
    {
        JsonNode n = new JsonArray();
        for (int i = 0; i < depth; i++) n = new JsonArray(n);
        return n;
    }

    private const string Structural = "{}[],:\"\\0-e.";

    private static byte[] DamageBytes(byte[] b, Random rng)
    {
        var list = b.ToList();
        int ops = 1 + rng.Next(3);
        for (int i = 0; i < ops && list.Count > 0; i++)
        {
            int at = rng.Next(list.Count);
            switch (rng.Next(4))
            {
                case 0: list.RemoveRange(at, list.Count - at); break;            // truncated
                case 1: list[at] = (byte)rng.Next(256); break;                     // flipped
                case 2: list.Insert(at, (byte)Structural[rng.Next(Structural.Length)]); break; // structural byte
                default: list.RemoveAt(at); break;
            }
        }
        return list.ToArray();
    }

    /// <summary>Per-property iteration count: RDMARUN_FUZZ_ITERATIONS (scripts/fuzz.sh), else a modest CI default.</summary>
    public static long Iterations(long ciDefault = 2000) =>
        long.TryParse(Environment.GetEnvironmentVariable("RDMARUN_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : ciDefault;
}
