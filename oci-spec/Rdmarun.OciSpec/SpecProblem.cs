namespace Rdmarun.OciSpec;

/// <summary>How bad a validation finding is.</summary>
public enum ProblemSeverity
{
    /// <summary>runc accepts it (maybe with a log line); rdmarun should warn and go on.</summary>
    Warning,
    /// <summary>The container must not be created.</summary>
    Error,
}

/// <summary>One validation finding: where (JSON path) and what is wrong.</summary>
public sealed record SpecProblem(ProblemSeverity Severity, string Path, string Message)
{
    /// <summary><c>$.linux.namespaces[2].type: unknown namespace type "foo"</c>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
