namespace Rdmarun.Engine.Seccomp;

/// <summary>One argument comparison of a rule, already in libseccomp's terms.</summary>
public readonly record struct SeccompCondition(uint Index, SeccompOp Op, ulong Value, ulong ValueTwo);

/// <summary>
/// The libseccomp calls a filter is built from. The real one is <see cref="LibSeccompBackend"/>;
/// tests record the calls to check the spec → rule mapping without loading anything.
/// </summary>
public interface ISeccompBackend : IDisposable
{
    void Init(uint defaultAction);
    void AddArch(uint arch);
    void SetAttr(int attr, uint value);
    /// <summary>The syscall number (negative pseudo numbers included), or null when libseccomp does not know the name.</summary>
    int? ResolveSyscall(string name);
    void AddRule(uint action, int syscall, string name, IReadOnlyList<SeccompCondition> conditions);
    void Load();
    /// <summary>The notification fd of a loaded filter that uses SCMP_ACT_NOTIFY.</summary>
    int NotifyFd();
}
