namespace Rdmarun.Conformance;

/// <summary>A named check; <see cref="Run"/> throws <see cref="CaseFailedException"/> or <see cref="CaseSkippedException"/>.</summary>
sealed record ConformanceCase(string Name, string Description, Func<CaseContext, Task> Run);
