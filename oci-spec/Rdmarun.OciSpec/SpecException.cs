namespace Rdmarun.OciSpec;

/// <summary>
/// A document could not be parsed or a spec is invalid. <see cref="Exception.Message"/> is ready to show a
/// user, e.g. <c>config.json: $.process.user.uid: expected a number (uint32), got "abc"</c>.
/// </summary>
public sealed class SpecException : Exception
{
    /// <summary>JSON path of the offending value when known (<c>$.process.user.uid</c>), else null.</summary>
    public string? JsonPath { get; }

    /// <summary>All problems when raised by <c>SpecValidator</c>; empty for parse errors.</summary>
    public IReadOnlyList<SpecProblem> Problems { get; }

    public SpecException(string message, string? jsonPath = null, Exception? inner = null)
        : base(message, inner)
    {
        JsonPath = jsonPath;
        Problems = [];
    }

    public SpecException(string message, IReadOnlyList<SpecProblem> problems)
        : base(message)
    {
        Problems = problems;
        JsonPath = problems.Count > 0 ? problems[0].Path : null;
    }
}
