using Rdmarun.Engine.Seccomp;

namespace Rdmarun.Engine.Tests.Seccomp;

/// <summary>Records the libseccomp calls a filter would make; syscall names resolve through the real libseccomp.</summary>
public sealed class RecordingBackend : ISeccompBackend
{
    public uint? DefaultAction { get; private set; }
    public List<uint> Archs { get; } = [];
    public List<(int Attr, uint Value)> Attrs { get; } = [];
    public List<(uint Action, string Name, IReadOnlyList<SeccompCondition> Conditions)> Rules { get; } = [];
    public bool Loaded { get; private set; }

    public void Init(uint defaultAction) => DefaultAction = defaultAction;
    public void AddArch(uint arch) => Archs.Add(arch);
    public void SetAttr(int attr, uint value) => Attrs.Add((attr, value));
    public int? ResolveSyscall(string name) => new LibSeccompBackend().ResolveSyscall(name);
    public void AddRule(uint action, int syscall, string name, IReadOnlyList<SeccompCondition> conditions) =>
        Rules.Add((action, name, conditions));
    public void Load() => Loaded = true;
    public int NotifyFd() => 42;
    public void Dispose() { }
}
