namespace Rdmarun.Conformance;

/// <summary>
/// A named check; <see cref="Run"/> throws <see cref="CaseFailedException"/> or <see cref="CaseSkippedException"/>.
/// <see cref="RootlessOnly"/> cases check what only a rootless runtime does and are listed only with --rootless.
/// </summary>
sealed record ConformanceCase(string Name, string Description, Func<CaseContext, Task> Run, bool RootlessOnly = false);
