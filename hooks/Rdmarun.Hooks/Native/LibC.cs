using System.Runtime.InteropServices;

namespace Rdmarun.Hooks.Native;

/// <summary>
/// Raw libc bindings, C names kept. "libc" is linked into the CLI with DirectPInvoke, so these bind
/// at start-up and never dlopen from a container's filesystem; under the JIT (tests) .NET resolves
/// the same name to the host's libc.so.6.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    // posix_spawn reports failure through its return value, not errno.
    [LibraryImport(Lib)]
    internal static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib)] internal static partial int posix_spawn_file_actions_init(void* fileActions);
    [LibraryImport(Lib)] internal static partial int posix_spawn_file_actions_destroy(void* fileActions);
    [LibraryImport(Lib)] internal static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);
    [LibraryImport(Lib)] internal static partial int posix_spawn_file_actions_addclose(void* fileActions, int fd);
    /// <summary>glibc 2.34+: closes every fd from <paramref name="from"/> up in the child.</summary>
    [LibraryImport(Lib)] internal static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    [LibraryImport(Lib)] internal static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(Lib)] internal static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(Lib)] internal static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(Lib)] internal static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);
    [LibraryImport(Lib)] internal static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);
    [LibraryImport(Lib)] internal static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Lib, SetLastError = true)] internal static partial int sigemptyset(void* set);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int sigaddset(void* set, int signal);

    [LibraryImport(Lib, SetLastError = true)] internal static partial int pipe2(int* fds, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int poll(PollFd* fds, nuint nfds, int timeoutMs);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int kill(int pid, int signal);
    // Through syscall(2), not glibc's pidfd_open wrapper (2.36+), to keep the glibc floor at 2.34.
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint syscall(nint number, int arg1, int arg2);

    internal const int SYS_pidfd_open = 434; // same number on x86_64 and aarch64

    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;
    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const int WNOHANG = 1;

    internal const int EINTR = 4;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int EPIPE = 32;
    internal const int ESRCH = 3;

    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const short POSIX_SPAWN_SETSID = 0x80;

    internal const short POLLIN = 0x1;
    internal const short POLLOUT = 0x4;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;
    internal const short POLLNVAL = 0x20;

    // Opaque glibc types, allocated generously: x86_64 needs 80 (file actions), 336 (attr) and
    // 128 (sigset_t) bytes; the init functions fill them.
    internal const int FileActionsSize = 256;
    internal const int SpawnAttrSize = 512;
    internal const int SigSetSize = 128;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }
}
