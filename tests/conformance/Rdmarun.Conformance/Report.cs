using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>Results of every (case, runtime) cell and the three renderings: lines, markdown, json.</summary>
sealed class Report(IReadOnlyList<string> runtimes, IReadOnlyList<ConformanceCase> cases)
{
    readonly Dictionary<(string Case, string Runtime), CaseOutcome> _cells = [];

    public void Add(string caseName, string runtime, CaseOutcome outcome) => _cells[(caseName, runtime)] = outcome;

    public int Passed => _cells.Values.Count(o => o.Kind == OutcomeKind.Pass);
    public int Failed => _cells.Values.Count(o => o.CountsAsFailure);
    /// <summary>Skips plus failures documented in the expect file: neither passed nor failed the run.</summary>
    public int Skipped => _cells.Values.Count(o => o.Kind == OutcomeKind.Skip || (o.Kind == OutcomeKind.Fail && !o.CountsAsFailure));

    public string Summary => $"{Passed} passed, {Failed} failed, {Skipped} skipped";

    public static string Line(string runtime, string caseName, CaseOutcome o) =>
        $"[{runtime}] {caseName}: {Cell(o, int.MaxValue)} ({o.Duration.TotalSeconds:0.00}s)";

    public static string Cell(CaseOutcome o, int maxReason = 160)
    {
        string reason = o.Reason.Length > maxReason ? o.Reason[..maxReason] + "..." : o.Reason;
        return (o.Kind, o.ExpectedBecause) switch
        {
            (OutcomeKind.Pass, _) => "pass",
            (OutcomeKind.Fail, null) => $"FAIL ({reason})",
            (OutcomeKind.Fail, var why) => $"known FAIL ({why}: {reason})",
            (OutcomeKind.Skip, _) => $"skip ({reason})",
            _ => "?",
        };
    }

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("| case |");
        foreach (var r in runtimes) sb.Append(' ').Append(r).Append(" |");
        sb.Append("\n|---|");
        foreach (var _ in runtimes) sb.Append("---|");
        sb.Append('\n');
        foreach (var c in cases)
        {
            sb.Append("| ").Append(c.Name).Append(" |");
            foreach (var r in runtimes)
                sb.Append(' ').Append(_cells.TryGetValue((c.Name, r), out var o) ? Escape(Cell(o)) : "").Append(" |");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    static string Escape(string s) => s.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");

    public string Json()
    {
        var list = new JsonArray();
        foreach (var c in cases)
        {
            var results = new JsonObject();
            foreach (var r in runtimes)
            {
                if (!_cells.TryGetValue((c.Name, r), out var o))
                    continue;
                results[r] = new JsonObject
                {
                    ["outcome"] = o.Kind.ToString().ToLowerInvariant(),
                    ["reason"] = o.Reason,
                    ["expected"] = o.ExpectedBecause,
                    ["seconds"] = Math.Round(o.Duration.TotalSeconds, 3),
                };
            }
            list.Add(new JsonObject { ["name"] = c.Name, ["description"] = c.Description, ["results"] = results });
        }
        var root = new JsonObject
        {
            ["runtimes"] = DefaultSpec.Array(runtimes),
            ["cases"] = list,
            ["summary"] = new JsonObject { ["passed"] = Passed, ["failed"] = Failed, ["skipped"] = Skipped },
        };
        // Relaxed escaping keeps "→" and quotes in reasons readable; the file is never embedded in html.
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
