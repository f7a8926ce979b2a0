using System.Runtime.InteropServices;

namespace Rdmarun.Cgroups;

/// <summary>Raw libc calls: cgroupfs reports its reasons (EBUSY, EINVAL, ENOSPC) only through errno.</summary>
internal static unsafe partial class Native
{
    private const string LibC = "libc.so.6";

    public const int O_RDONLY = 0, O_WRONLY = 1, O_DIRECTORY = 0x10000, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EACCES = 13, EBUSY = 16, EEXIST = 17,
        EINVAL = 22, ENOTEMPTY = 39, EROFS = 30;

    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(LibC, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(LibC, EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport(LibC, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport(LibC, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rmdir(string path);

    [LibraryImport(LibC, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    [LibraryImport(LibC, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long a1, void* a2, long a3);

    /// <summary>strerror text in the lower-case style of our messages.</summary>
    public static string ErrnoText(int errno)
    {
        var s = Marshal.GetPInvokeErrorMessage(errno);
        return s.Length > 0 ? char.ToLowerInvariant(s[0]) + s[1..] : $"errno {errno}";
    }
}
