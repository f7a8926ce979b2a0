using System.Runtime.InteropServices;

namespace Rdmarun.Engine.Seccomp;

/// <summary>
/// Raw libseccomp 2.5 bindings (linked statically into the NativeAOT binary; a test host loads
/// libseccomp.so). Functions return a negative errno on failure, never set errno.
/// </summary>
internal static unsafe partial class LibSeccomp
{
    private const string L = "libseccomp";

    [LibraryImport(L)] public static partial nint seccomp_init(uint defAction);
    [LibraryImport(L)] public static partial void seccomp_release(nint ctx);
    [LibraryImport(L)] public static partial int seccomp_arch_add(nint ctx, uint arch);
    [LibraryImport(L)] public static partial int seccomp_arch_exist(nint ctx, uint arch);
    [LibraryImport(L)] public static partial uint seccomp_arch_native();
    [LibraryImport(L)] public static partial int seccomp_attr_set(nint ctx, int attr, uint value);
    [LibraryImport(L, StringMarshalling = StringMarshalling.Utf8)] public static partial int seccomp_syscall_resolve_name(string name);
    [LibraryImport(L)] public static partial int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint argCnt, ArgCmp* args);
    [LibraryImport(L)] public static partial int seccomp_load(nint ctx);
    [LibraryImport(L)] public static partial int seccomp_notify_fd(nint ctx);
    [LibraryImport(L)] public static partial int seccomp_export_pfc(nint ctx, int fd);
    [LibraryImport(L)] public static partial uint seccomp_api_get();

    /// <summary>struct scmp_arg_cmp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    /// <summary>__NR_SCMP_ERROR: the name is unknown to libseccomp.</summary>
    public const int NrScmpError = -1;

    // enum scmp_filter_attr
    public const int AttrCtlNnp = 3, AttrCtlTsync = 4, AttrCtlLog = 6, AttrCtlSsb = 7;
}
