namespace Rdmarun.Conformance;

enum OutcomeKind { Pass, Fail, Skip }

sealed record CaseOutcome(OutcomeKind Kind, string Reason, TimeSpan Duration)
{
    /// <summary>Set when an --expect-file entry matched this cell: a documented difference, not a failure.</summary>
    public string? ExpectedBecause { get; init; }

    public bool CountsAsFailure => Kind == OutcomeKind.Fail && ExpectedBecause is null;
}

/// <summary>Thrown by a case to fail with a reason a person can act on.</summary>
sealed class CaseFailedException(string message) : Exception(message);

/// <summary>Thrown by a case that cannot run on this host or runtime (no rdma controller, no cgroup access...).</summary>
sealed class CaseSkippedException(string message) : Exception(message);
