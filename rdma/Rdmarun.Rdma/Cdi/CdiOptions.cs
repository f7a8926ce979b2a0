namespace Rdmarun.Rdma.Cdi;

/// <summary>
/// What `rdmarun cdi generate` puts into the spec. <see cref="HookPath"/>: the rdmarun binary whose `rdma-hook`
/// hides ungranted devices from sysfs and moves devices in exclusive mode; null leaves the hooks out.
/// </summary>
public sealed record CdiOptions(string Kind = CdiSpecGenerator.DefaultKind, bool Umad = false, bool Issm = false, string? HookPath = null);

public sealed class CdiException(string message) : Exception(message);
