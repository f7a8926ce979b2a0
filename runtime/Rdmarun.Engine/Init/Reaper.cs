using System.Runtime.InteropServices;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Init;

/// <summary>
/// The opt-in PID-1 reaper (runtime/native/reaper.c): with the annotation org.rdmarun.init=reaper
/// the init execs the embedded reaper, which starts the container's process, forwards signals
/// and reaps orphans (daemons started by `rdmarun rsh`/exec leave no zombies).
/// </summary>
public static unsafe partial class Reaper
{
    public const string Annotation = "org.rdmarun.init";

    /// <summary>True when the spec asks for the reaper; a clear error for a value we do not know.</summary>
    public static bool Requested(IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is null || !annotations.TryGetValue(Annotation, out var v) || v is "" or "none") return false;
        if (v == "reaper") return true;
        throw new RuntimeError($"annotations[\"{Annotation}\"]: unknown value \"{v}\" (expected \"reaper\" or \"none\")");
    }

    [LibraryImport("rdmarun_native")]
    private static partial byte* rdmarun_reaper_image(nuint* len);

    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private const int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);

    /// <summary>
    /// A sealed memfd holding the reaper. Made before seccomp is loaded (the profile need not
    /// allow memfd_create); sealed so the container can never change what its PID 1 runs.
    /// </summary>
    public static int CreateImage()
    {
        nuint len;
        byte* image = rdmarun_reaper_image(&len);
        int fd = memfd_create("rdmarun-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) throw new SyscallException("memfd_create for the reaper", Libc.Errno);
        for (nuint off = 0; off < len;)
        {
            nint n = Libc.write(fd, image + off, (nint)(len - off));
            if (n < 0) { if (Libc.Errno == LibcConst.EINTR) continue; throw new SyscallException("write the reaper image", Libc.Errno); }
            off += (nuint)n;
        }
        SyscallException.Check(Libc.fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), "seal the reaper image");
        return fd;
    }
}
