namespace Rdmarun.OciSpec.Validation;

/// <summary>Collects findings while the rule sets walk a spec.</summary>
sealed class ProblemList
{
    public List<SpecProblem> Items { get; } = [];
    public void Error(string path, string message) => Items.Add(new SpecProblem(ProblemSeverity.Error, path, message));
    public void Warn(string path, string message) => Items.Add(new SpecProblem(ProblemSeverity.Warning, path, message));
}

/// <summary>Builds JSON paths in the same notation System.Text.Json reports them.</summary>
static class JPath
{
    public static string Member(string parent, string name)
    {
        bool plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return plain ? $"{parent}.{name}" : $"{parent}['{name.Replace("'", "\\'")}']";
    }

    public static string Index(string parent, int i) => $"{parent}[{i}]";

    /// <summary>Quotes a user value for a message, like Go's %q.</summary>
    public static string Q(string? s) => s is null ? "null" : System.Text.Json.JsonSerializer.Serialize(s, SpecJsonContext.Default.String);
}
