namespace Rdmarun.Conformance;

sealed record KnownDifference(string Case, string Runtime, OutcomeKind Outcome, string Reason);

/// <summary>
/// Documented differences: "case | runtime | pass|fail|skip | reason" per line, '#' comments.
/// A cell whose outcome matches its entry is reported with the reason and does not fail the run.
/// </summary>
static class ExpectFile
{
    public static IReadOnlyList<KnownDifference> Load(string path)
    {
        var list = new List<KnownDifference>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var parts = line.Split('|', 4, StringSplitOptions.TrimEntries);
            if (parts.Length != 4 || !Enum.TryParse<OutcomeKind>(parts[2], ignoreCase: true, out var outcome))
                throw new FormatException($"{path}:{lineNo}: expected \"case | runtime | pass|fail|skip | reason\"");
            list.Add(new KnownDifference(parts[0], parts[1], outcome, parts[3]));
        }
        return list;
    }

    public static CaseOutcome Apply(IReadOnlyList<KnownDifference> known, string caseName, string runtime, CaseOutcome outcome)
    {
        var entry = known.FirstOrDefault(k => k.Case == caseName && k.Runtime == runtime);
        return entry is not null && entry.Outcome == outcome.Kind
            ? outcome with { ExpectedBecause = entry.Reason }
            : outcome;
    }

    /// <summary>
    /// A note when an entry names this cell but the runtime now does something else (typically: it passes),
    /// so entries such as "rdmarun: not yet implemented" get removed once the feature lands.
    /// </summary>
    public static string? StaleNote(IReadOnlyList<KnownDifference> known, string caseName, string runtime, CaseOutcome outcome)
    {
        var entry = known.FirstOrDefault(k => k.Case == caseName && k.Runtime == runtime);
        if (entry is null || entry.Outcome == outcome.Kind || outcome.Kind == OutcomeKind.Skip)
            return null;
        return $"note: {caseName} | {runtime} is listed as {Word(entry.Outcome)} ({entry.Reason}) but gave {Word(outcome.Kind)}: remove the entry if it keeps doing so";
    }

    static string Word(OutcomeKind k) => k.ToString().ToLowerInvariant();
}
