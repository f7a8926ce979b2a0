using System.Runtime.InteropServices;
using Rdmarun.Hooks.Native;
using static Rdmarun.Hooks.Native.LibC;

namespace Rdmarun.Hooks;

/// <summary>
/// Starts and reaps child processes with posix_spawn(3) and waitpid(2).
/// </summary>
/// <remarks>
/// Not System.Diagnostics.Process: it installs a SIGCHLD handler that reaps every child, including
/// the container processes the runtime itself waits for. Here only the caller reaps, and only the
/// pid it was given. posix_spawn (vfork + exec inside glibc) is safe in a multi-threaded process,
/// unlike fork from managed code.
/// </remarks>
public static unsafe class PosixSpawn
{
    /// <summary>
    /// Starts <paramref name="path"/> (not searched in PATH) with exactly <paramref name="argv"/> and
    /// <paramref name="envp"/>. Each (parentFd, childFd) pair becomes fd childFd in the child; fds
    /// above the highest childFd are closed; lower fds that are not mapped are inherited unless
    /// close-on-exec; a closed parentFd leaves childFd closed. Signal mask and dispositions are reset (.NET ignores SIGPIPE, which exec
    /// would otherwise pass on). Returns the pid; throws <see cref="PosixException"/> when the
    /// spawn or the exec fails (glibc reports exec errors such as ENOENT from posix_spawn).
    /// <paramref name="setsid"/>: a session of its own; <paramref name="newProcessGroup"/>: a process
    /// group of its own whose id is the returned pid (see <see cref="KillGroup"/>).
    /// </summary>
    public static int Spawn(string path, string[] argv, string[] envp,
        IReadOnlyList<(int parentFd, int childFd)> fdMap, bool setsid = false, bool newProcessGroup = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(envp);
        ArgumentNullException.ThrowIfNull(fdMap);

        int maxChild = 2;
        var seen = new HashSet<int>();
        foreach (var (parentFd, childFd) in fdMap)
        {
            if (parentFd < 0 || childFd < 0)
                throw new ArgumentException($"invalid fd mapping {parentFd} -> {childFd}", nameof(fdMap));
            if (!seen.Add(childFd))
                throw new ArgumentException($"child fd {childFd} is mapped twice", nameof(fdMap));
            maxChild = Math.Max(maxChild, childFd);
        }

        // Every source is first duplicated (close-on-exec) above all target fds. Then no dup2 can
        // overwrite a source another mapping still needs, and parentFd == childFd also works:
        // dup2(fd, fd) is a no-op that would leave close-on-exec set, closing the fd at exec.
        int closeFrom = maxChild + 1;
        int[] temps = new int[fdMap.Count];
        Array.Fill(temps, -1);
        byte* fileActions = (byte*)NativeMemory.AllocZeroed(FileActionsSize);
        byte* attr = (byte*)NativeMemory.AllocZeroed(SpawnAttrSize);
        byte* sigMask = (byte*)NativeMemory.AllocZeroed(SigSetSize);
        byte* sigDefault = (byte*)NativeMemory.AllocZeroed(SigSetSize);
        bool actionsReady = false, attrReady = false;
        try
        {
            for (int i = 0; i < fdMap.Count; i++)
            {
                temps[i] = fcntl(fdMap[i].parentFd, F_DUPFD_CLOEXEC, closeFrom);
                // A closed source (say the runtime was started with stdin closed) leaves the
                // child's fd closed too, as if the parent's fd had been inherited.
                if (temps[i] < 0 && Marshal.GetLastPInvokeError() != EBADF)
                    throw PosixException.FromLastError($"spawn {path}: duplicate fd {fdMap[i].parentFd}");
            }

            Check(posix_spawn_file_actions_init(fileActions), path, "file actions init");
            actionsReady = true;
            for (int i = 0; i < fdMap.Count; i++)
            {
                if (temps[i] >= 0)
                    Check(posix_spawn_file_actions_adddup2(fileActions, temps[i], fdMap[i].childFd), path, "dup2 action");
                else
                    Check(posix_spawn_file_actions_addclose(fileActions, fdMap[i].childFd), path, "close action");
            }
            Check(posix_spawn_file_actions_addclosefrom_np(fileActions, closeFrom), path, "closefrom action");

            Check(posix_spawnattr_init(attr), path, "attr init");
            attrReady = true;
            sigemptyset(sigMask);
            sigemptyset(sigDefault);
            // SIGKILL and SIGSTOP cannot be changed; 32 and 33 are glibc's own (it leaves them
            // ignored in the child, and the new program's libc takes them over).
            for (int sig = 1; sig <= 64; sig++)
                if (sig is not 9 and not 19 and not 32 and not 33)
                    sigaddset(sigDefault, sig);
            short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
            if (setsid)
                flags |= POSIX_SPAWN_SETSID;
            else if (newProcessGroup)
            {
                flags |= POSIX_SPAWN_SETPGROUP;
                Check(posix_spawnattr_setpgroup(attr, 0), path, "attr pgroup");
            }
            Check(posix_spawnattr_setflags(attr, flags), path, "attr flags");
            Check(posix_spawnattr_setsigmask(attr, sigMask), path, "attr sigmask");
            Check(posix_spawnattr_setsigdefault(attr, sigDefault), path, "attr sigdefault");

            using var nativePath = new NativeStringArray([path]);
            using var nativeArgv = new NativeStringArray(argv);
            using var nativeEnvp = new NativeStringArray(envp);
            int rc = posix_spawn(out int pid, nativePath.Pointer[0], fileActions, attr, nativeArgv.Pointer, nativeEnvp.Pointer);
            if (rc != 0)
                throw new PosixException($"spawn {path}: {PosixException.ErrnoText(rc)}", rc);
            return pid;
        }
        finally
        {
            if (actionsReady) posix_spawn_file_actions_destroy(fileActions);
            if (attrReady) posix_spawnattr_destroy(attr);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigMask);
            NativeMemory.Free(sigDefault);
            foreach (int fd in temps)
                if (fd >= 0) close(fd);
        }
    }

    private static void Check(int rc, string path, string step)
    {
        if (rc != 0)
            throw new PosixException($"spawn {path}: {step}: {PosixException.ErrnoText(rc)}", rc);
    }

    /// <summary>Blocks until <paramref name="pid"/> exits (retrying EINTR); returns the pid.</summary>
    public static int WaitPid(int pid, out int status)
    {
        int s;
        while (true)
        {
            int rc = waitpid(pid, &s, 0);
            if (rc >= 0) { status = s; return rc; }
            if (Marshal.GetLastPInvokeError() != EINTR)
                throw PosixException.FromLastError($"waitpid {pid}");
        }
    }

    /// <summary>Reaps <paramref name="pid"/> if it has exited, without blocking.</summary>
    public static bool TryWaitPid(int pid, out int status)
    {
        int s = 0;
        while (true)
        {
            int rc = waitpid(pid, &s, WNOHANG);
            if (rc > 0) { status = s; return true; }
            if (rc == 0) { status = 0; return false; }
            if (Marshal.GetLastPInvokeError() != EINTR)
                throw PosixException.FromLastError($"waitpid {pid}");
        }
    }

    /// <summary>A pipe with both ends close-on-exec (map an end with <see cref="Spawn"/> to pass it on).</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw PosixException.FromLastError("pipe2");
        return (fds[0], fds[1]);
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process no longer exists (ESRCH).</summary>
    public static bool Kill(int pid, int signal)
    {
        if (kill(pid, signal) == 0)
            return true;
        if (Marshal.GetLastPInvokeError() == ESRCH)
            return false;
        throw PosixException.FromLastError($"kill {pid} with signal {signal}");
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>; false when the
    /// group has no process left (ESRCH).
    /// </summary>
    public static bool KillGroup(int pgid, int signal)
    {
        if (pgid <= 1)
            throw new ArgumentOutOfRangeException(nameof(pgid), pgid, "not a process group of a spawned child");
        return Kill(-pgid, signal);
    }

    /// <summary>Closes <paramref name="fd"/>, ignoring errors (close is not retried: the fd is gone either way).</summary>
    public static void Close(int fd)
    {
        if (fd >= 0)
            close(fd);
    }

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
}
