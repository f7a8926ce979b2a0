using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Seccomp;

/// <summary>enum scmp_compare.</summary>
public enum SeccompOp { NotEqual = 1, LessThan = 2, LessOrEqual = 3, Equal = 4, GreaterOrEqual = 5, GreaterThan = 6, MaskedEqual = 7 }

/// <summary>SCMP_ACT_* names of the runtime-spec → libseccomp action values.</summary>
public static class SeccompActions
{
    public const uint KillThread = 0x00000000, KillProcess = 0x80000000, Trap = 0x00030000,
        Notify = 0x7fc00000, Log = 0x7ffc0000, Allow = 0x7fff0000;
    public static uint Errno(uint errno) => 0x00050000u | (errno & 0xffff);
    public static uint Trace(uint msg) => 0x7ff00000u | (msg & 0xffff);

    /// <summary>EPERM: what ERRNO and TRACE return when the spec gives no errnoRet (runc's default).</summary>
    public const uint DefaultErrno = 1;

    public static readonly IReadOnlyList<string> Names =
    [
        LinuxSeccompAction.Allow, LinuxSeccompAction.Errno, LinuxSeccompAction.Kill, LinuxSeccompAction.KillProcess,
        LinuxSeccompAction.KillThread, LinuxSeccompAction.Log, LinuxSeccompAction.Notify, LinuxSeccompAction.Trace,
        LinuxSeccompAction.Trap,
    ];

    /// <summary>The action value, or null for an unknown name. errnoRet only matters for ERRNO and TRACE.</summary>
    public static uint? Resolve(string name, uint? errnoRet) => name switch
    {
        LinuxSeccompAction.Kill or LinuxSeccompAction.KillThread => KillThread,
        LinuxSeccompAction.KillProcess => KillProcess,
        LinuxSeccompAction.Trap => Trap,
        LinuxSeccompAction.Errno => Errno(errnoRet ?? DefaultErrno),
        LinuxSeccompAction.Trace => Trace(errnoRet ?? DefaultErrno),
        LinuxSeccompAction.Allow => Allow,
        LinuxSeccompAction.Log => Log,
        LinuxSeccompAction.Notify => Notify,
        _ => null,
    };
}

/// <summary>SCMP_CMP_* names.</summary>
public static class SeccompOps
{
    private static readonly (string Name, SeccompOp Op)[] Table =
    [
        ("SCMP_CMP_NE", SeccompOp.NotEqual), ("SCMP_CMP_LT", SeccompOp.LessThan), ("SCMP_CMP_LE", SeccompOp.LessOrEqual),
        ("SCMP_CMP_EQ", SeccompOp.Equal), ("SCMP_CMP_GE", SeccompOp.GreaterOrEqual), ("SCMP_CMP_GT", SeccompOp.GreaterThan),
        ("SCMP_CMP_MASKED_EQ", SeccompOp.MaskedEqual),
    ];

    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    public static SeccompOp? Resolve(string name)
    {
        foreach (var (n, op) in Table) if (n == name) return op;
        return null;
    }
}

/// <summary>SCMP_ARCH_* names → AUDIT_ARCH_* values (what libseccomp's SCMP_ARCH_* macros expand to).</summary>
public static class SeccompArchs
{
    private const uint Bit64 = 0x80000000, LE = 0x40000000, MipsN32 = 0x20000000;

    private static readonly (string Name, uint Arch)[] Table =
    [
        ("SCMP_ARCH_X86", 3 | LE), ("SCMP_ARCH_X86_64", 62 | Bit64 | LE), ("SCMP_ARCH_X32", 62 | LE),
        ("SCMP_ARCH_ARM", 40 | LE), ("SCMP_ARCH_AARCH64", 183 | Bit64 | LE),
        ("SCMP_ARCH_MIPS", 8), ("SCMP_ARCH_MIPS64", 8 | Bit64), ("SCMP_ARCH_MIPS64N32", 8 | Bit64 | MipsN32),
        ("SCMP_ARCH_MIPSEL", 8 | LE), ("SCMP_ARCH_MIPSEL64", 8 | Bit64 | LE), ("SCMP_ARCH_MIPSEL64N32", 8 | Bit64 | LE | MipsN32),
        ("SCMP_ARCH_PPC", 20), ("SCMP_ARCH_PPC64", 21 | Bit64), ("SCMP_ARCH_PPC64LE", 21 | Bit64 | LE),
        ("SCMP_ARCH_S390", 22), ("SCMP_ARCH_S390X", 22 | Bit64),
        ("SCMP_ARCH_PARISC", 15), ("SCMP_ARCH_PARISC64", 15 | Bit64),
        ("SCMP_ARCH_RISCV64", 243 | Bit64 | LE),
    ];

    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    public static uint? Resolve(string name)
    {
        foreach (var (n, a) in Table) if (n == name) return a;
        return null;
    }

    public static string NameOf(uint arch)
    {
        foreach (var (n, a) in Table) if (a == arch) return n;
        return $"0x{arch:x8}";
    }
}

/// <summary>linux.seccomp.flags → the libseccomp filter attribute that asks the kernel for it.</summary>
public static class SeccompFlags
{
    public const string Tsync = "SECCOMP_FILTER_FLAG_TSYNC", Log = "SECCOMP_FILTER_FLAG_LOG",
        SpecAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW", WaitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";

    /// <summary>Every flag the runtime-spec names (features: knownFlags).</summary>
    public static IReadOnlyList<string> Known { get; } = [Tsync, Log, SpecAllow, WaitKillableRecv];

    /// <summary>The flags this build can set (libseccomp 2.5 has no WAIT_KILLABLE_RECV attribute).</summary>
    public static IReadOnlyList<string> Supported { get; } = [Tsync, Log, SpecAllow];

    public static int? Attribute(string flag) => flag switch
    {
        Tsync => LibSeccomp.AttrCtlTsync,
        Log => LibSeccomp.AttrCtlLog,
        SpecAllow => LibSeccomp.AttrCtlSsb,
        _ => null,
    };
}
