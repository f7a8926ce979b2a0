using System.Runtime.InteropServices;

namespace Rdmarun.Engine.Native;

/// <summary>libseccomp, linked statically into the binary (see runtime/rdmarun/rdmarun.csproj).</summary>
public static unsafe partial class Seccomp
{
    [StructLayout(LayoutKind.Sequential)]
    private struct ScmpVersion { public uint Major, Minor, Micro; }

    [LibraryImport("libseccomp")] private static partial ScmpVersion* seccomp_version();

    public static string Version()
    {
        try
        {
            var v = seccomp_version();
            return v == null ? "unknown" : $"{v->Major}.{v->Minor}.{v->Micro}";
        }
        catch (DllNotFoundException) { return "not available"; }
    }
}
