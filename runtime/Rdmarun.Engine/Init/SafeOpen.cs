using System.Runtime.InteropServices;
using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// fd-based path checks for the init: openat2(2) resolution flags, the filesystem type and the
/// device of an open fd. A path is only a name; these look at what the kernel actually opened.
/// </summary>
public static unsafe partial class SafeOpen
{
    public const ulong ResolveNoXdev = 0x01, ResolveNoMagicLinks = 0x02, ResolveNoSymlinks = 0x04, ResolveInRoot = 0x10;
    public const long ProcSuperMagic = 0x9fa0, TmpfsMagic = 0x01021994, DevptsSuperMagic = 0x1cd1;
    private const int SYS_openat2 = 437;
    public const int S_IFMT = 0xf000, S_IFLNK = 0xa000, S_IFREG = 0x8000, S_IFDIR = 0x4000;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow { public ulong Flags; public ulong Mode; public ulong Resolve; }

    /// <summary>openat2(dirfd, path, flags, resolve); -1 with errno set on failure.</summary>
    public static int OpenAt2(int dirfd, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = resolve };
        var p = Marshal.StringToCoTaskMemUTF8(path);
        try { return (int)Libc.syscall(SYS_openat2, dirfd, p, (nint)(&how), sizeof(OpenHow), 0); }
        finally { Marshal.FreeCoTaskMem(p); }
    }

    /// <summary>statfs.f_type of an open fd.</summary>
    public static long FsType(int fd, string what)
    {
        byte* buf = stackalloc byte[120];
        SyscallException.Check(fstatfs(fd, buf), $"fstatfs {what}");
        return *(long*)buf; // struct statfs.f_type comes first on x86-64
    }

    /// <summary>(st_dev, st_mode) of an open fd.</summary>
    public static (ulong Dev, int Mode) Stat(int fd, string what)
    {
        byte* buf = stackalloc byte[144];
        SyscallException.Check(fstat(fd, buf), $"fstat {what}");
        return (*(ulong*)buf, *(int*)(buf + 24)); // x86-64 struct stat: st_dev at 0, st_mode at 24
    }

    /// <summary>Opens a directory of the mount namespace as an O_PATH fd, refusing a symlink.</summary>
    public static int OpenDirNoFollow(string path) =>
        SyscallException.Check(Libc.open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0), $"open {path}");

    [LibraryImport("libc", SetLastError = true)] private static partial int fstatfs(int fd, byte* buf);
    [LibraryImport("libc", SetLastError = true)] private static partial int fstat(int fd, byte* buf);
}
