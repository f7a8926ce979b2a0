using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// Every write the init makes under the container's /proc (sysctls, LSM attr files). After
/// pivot_root, /proc is whatever the spec and the image put there: a bind mount over
/// /proc/sys/..., a tmpfs, or /proc as a symlink would turn "set a sysctl" or "set my label"
/// into "write to this other file" (CVE-2019-16884, CVE-2023-27561, runc's 2025 procfs-write
/// advisory). So /proc itself must be a real procfs (not a symlink), and the file is opened
/// from it with openat2 refusing to cross a mount point, so nothing mounted inside /proc can
/// stand in for the file; the opened fd is checked to be on procfs again.
/// </summary>
public static unsafe class ProcWrite
{
    /// <summary>Writes value to /proc/&lt;rel&gt; (rel as "sys/kernel/domainname"); what names the setting in errors.</summary>
    public static void Write(string rel, string value, string what, bool noSymlinks)
    {
        int proc = -1, fd = -1;
        try
        {
            proc = Libc.open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (proc < 0)
                throw new RuntimeError($"{what}: /proc in the container is not a directory on procfs ({new SyscallException("open /proc", Libc.Errno).Message}), refusing to write /proc/{rel}");
            if (SafeOpen.FsType(proc, "/proc") != SafeOpen.ProcSuperMagic)
                throw new RuntimeError($"{what}: /proc in the container is not procfs, refusing to write /proc/{rel}");
            // thread-self is procfs's own symlink (allowed); no magic links, no other mount.
            ulong resolve = SafeOpen.ResolveNoXdev | SafeOpen.ResolveNoMagicLinks | (noSymlinks ? SafeOpen.ResolveNoSymlinks : 0);
            fd = SafeOpen.OpenAt2(proc, rel, O_WRONLY | O_CLOEXEC | O_NOCTTY, resolve);
            if (fd < 0)
            {
                int e = Libc.Errno;
                if (e is 18 /* EXDEV */ or 40 /* ELOOP */)
                    throw new RuntimeError($"{what}: /proc/{rel} is redirected by a mount or symlink in the container, refusing to write to it");
                throw new SyscallException($"{what}: open /proc/{rel}", e);
            }
            if (SafeOpen.FsType(fd, "/proc/" + rel) != SafeOpen.ProcSuperMagic)
                throw new RuntimeError($"{what}: /proc/{rel} is not on procfs, refusing to write to it");
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
            {
                if (Libc.write(fd, b, bytes.Length) != bytes.Length)
                    throw new SyscallException($"{what}: write {value} to /proc/{rel}", Libc.Errno);
            }
        }
        finally
        {
            if (fd >= 0) Libc.close(fd);
            if (proc >= 0) Libc.close(proc);
        }
    }
}
