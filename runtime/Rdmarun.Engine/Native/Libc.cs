using System.Runtime.InteropServices;

namespace Rdmarun.Engine.Native;

/// <summary>
/// Raw libc bindings the engine needs beyond Tmds.LibC. The CLI links "libc" with DirectPInvoke,
/// so these bind at start-up and never resolve through dlopen after pivot_root.
/// C names on purpose: the man page is the documentation.
/// </summary>
internal static unsafe partial class Libc
{
    private const string L = "libc";

    [LibraryImport(L, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(L, SetLastError = true)] public static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(L, SetLastError = true)] public static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int open(string path, int flags, int mode);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int openat(int dirfd, string path, int flags, int mode);
    [LibraryImport(L, SetLastError = true)] public static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(L, SetLastError = true)] public static partial int dup(int fd);
    [LibraryImport(L, SetLastError = true)] public static partial int dup3(int oldfd, int newfd, int flags);
    [LibraryImport(L, SetLastError = true)] public static partial int flock(int fd, int op);
    [LibraryImport(L, SetLastError = true)] public static partial int socketpair(int domain, int type, int protocol, int* sv);
    [LibraryImport(L, SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport(L, SetLastError = true)] public static partial int kill(int pid, int sig);
    [LibraryImport(L, SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(L, SetLastError = true)] public static partial int getpid();
    [LibraryImport(L, SetLastError = true)] public static partial int getppid();
    [LibraryImport(L, SetLastError = true)] public static partial int getuid();
    [LibraryImport(L, SetLastError = true)] public static partial int geteuid();
    [LibraryImport(L, SetLastError = true)] public static partial int getgid();
    [LibraryImport(L, SetLastError = true)] public static partial int getegid();
    [LibraryImport(L, SetLastError = true)] public static partial int getgroups(int size, uint* list);

    /// <summary>The caller's supplementary groups.</summary>
    public static uint[] GetGroups()
    {
        int n = getgroups(0, null);
        if (n <= 0) return [];
        var list = new uint[n];
        fixed (uint* p = list) n = getgroups(n, p);
        return n < 0 ? [] : list[..n];
    }
    [LibraryImport(L, SetLastError = true)] public static partial int prctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mkfifo(string path, int mode);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mkdir(string path, int mode);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int chown(string path, int uid, int gid);
    [LibraryImport(L, SetLastError = true)] public static partial int fchown(int fd, int uid, int gid);
    [LibraryImport(L, SetLastError = true)] public static partial int umask(int mask);
    [LibraryImport(L, SetLastError = true)] public static partial int setsid();
    [LibraryImport(L, SetLastError = true)] public static partial int ioctl(int fd, nuint request, nint arg);

    // mount namespace and rootfs
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, nuint flags, string? data);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int umount2(string target, int flags);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int chdir(string path);
    [LibraryImport(L, SetLastError = true)] public static partial int fchdir(int fd);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int chroot(string path);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mknod(string path, int mode, ulong dev);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int symlink(string target, string linkpath);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int sethostname(string name, nint len);
    [LibraryImport(L, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int setdomainname(string name, nint len);
    [LibraryImport(L, SetLastError = true)] public static partial nint syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5);
    [LibraryImport(L, SetLastError = true)] public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    // credentials, capabilities, limits
    [LibraryImport(L, SetLastError = true)] public static partial int setresuid(int r, int e, int s);
    [LibraryImport(L, SetLastError = true)] public static partial int setresgid(int r, int e, int s);
    [LibraryImport(L, SetLastError = true)] public static partial int setgroups(nint size, int* list);
    [LibraryImport(L, SetLastError = true)] public static partial int capget(CapHeader* hdr, CapData* data);
    [LibraryImport(L, SetLastError = true)] public static partial int capset(CapHeader* hdr, CapData* data);
    [LibraryImport(L, SetLastError = true)] public static partial int prlimit(int pid, int resource, RLimit* newLimit, RLimit* oldLimit);
    [LibraryImport(L, SetLastError = true)] public static partial int execve(byte* path, byte** argv, byte** envp);
    [LibraryImport(L, SetLastError = true)] public static partial int sendmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport(L, SetLastError = true)] public static partial int recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport(L)] public static partial byte* strerror(int errnum);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string StrError(int errno) => Marshal.PtrToStringUTF8((nint)strerror(errno)) ?? $"errno {errno}";

    [StructLayout(LayoutKind.Sequential)] public struct CapHeader { public uint Version; public int Pid; }
    [StructLayout(LayoutKind.Sequential)] public struct CapData { public uint Effective; public uint Permitted; public uint Inheritable; }
    [StructLayout(LayoutKind.Sequential)] public struct PollFd { public int Fd; public short Events; public short Revents; }
    [StructLayout(LayoutKind.Sequential)] public struct RLimit { public ulong Cur; public ulong Max; }
    [StructLayout(LayoutKind.Sequential)] public struct IoVec { public void* Base; public nuint Len; }
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen;
        public void* Control; public nuint ControlLen; public int Flags;
    }
}
