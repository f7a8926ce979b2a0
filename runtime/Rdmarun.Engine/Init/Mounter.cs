using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>mount(2) with errors that name source, target and type.</summary>
public static unsafe partial class Mounter
{
    public static void Mount(string? source, string target, string? fstype, nuint flags, string? data)
    {
        if (Libc.mount(source, target, fstype, flags, string.IsNullOrEmpty(data) ? null : data) < 0)
        {
            int e = Libc.Errno;
            throw new SyscallException($"mount {source ?? "none"} to {target} (type {fstype ?? "none"}, flags 0x{flags:x}{(string.IsNullOrEmpty(data) ? "" : ", data " + data)})", e);
        }
    }

    /// <summary>
    /// Mounts onto dest (a path inside rootfs, already resolved by <see cref="SecurePath"/>) through
    /// an O_PATH fd that openat2 resolved with RESOLVE_IN_ROOT. The lexical resolution can be raced:
    /// a process sharing the rootfs may swap a directory for a symlink between it and mount(2)
    /// (CVE-2021-30465); the kernel's in-root walk cannot leave rootfs, and mount(2) through
    /// /proc/self/fd/N hits exactly the object that walk found.
    /// </summary>
    public static void MountInRoot(string? source, string rootfs, string dest, string? fstype, nuint flags, string? data)
    {
        var rel = Path.GetRelativePath(rootfs, dest);
        if (rel == ".") { Mount(source, dest, fstype, flags, data); return; }
        int root = SyscallException.Check(Libc.open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0), $"open rootfs {rootfs}");
        int fd = -1;
        try
        {
            fd = SafeOpen.OpenAt2(root, rel, O_PATH | O_CLOEXEC, SafeOpen.ResolveInRoot | SafeOpen.ResolveNoMagicLinks);
            if (fd < 0) throw new SyscallException($"open mount target {dest} inside {rootfs}", Libc.Errno);
            if (Libc.mount(source, $"/proc/self/fd/{fd}", fstype, flags, string.IsNullOrEmpty(data) ? null : data) < 0)
            {
                int e = Libc.Errno;
                throw new SyscallException($"mount {source ?? "none"} to {dest} (type {fstype ?? "none"}, flags 0x{flags:x}{(string.IsNullOrEmpty(data) ? "" : ", data " + data)})", e);
            }
        }
        finally
        {
            if (fd >= 0) Libc.close(fd);
            Libc.close(root);
        }
    }

    /// <summary>Current mount flags of the mount holding path (statvfs f_flag → MS_*).</summary>
    public static nuint CurrentFlags(string path)
    {
        byte* buf = stackalloc byte[128];
        if (statvfs(path, buf) < 0) return 0;
        ulong f = *(ulong*)(buf + 72); // struct statvfs.f_flag on x86-64
        return MountOptions.FromStatvfs(f);
    }

    /// <summary>
    /// Bind remount with extra flags. In a user namespace the kernel refuses to drop flags it
    /// locked (nosuid, nodev, noexec, ro, atime) on the original mount: keep those set.
    /// </summary>
    public static void BindRemount(string target, nuint flags)
    {
        nuint keep = CurrentFlags(target) & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
        if (Libc.mount(null, target, null, MS_BIND | MS_REMOUNT | flags, null) == 0) return;
        Mount(null, target, null, MS_BIND | MS_REMOUNT | flags | keep, null);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int statvfs(string path, byte* buf);

    public static void MkdirAll(string path, int mode = 0x1ed /* 0755 */)
    {
        if (Directory.Exists(path)) return;
        var parent = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(parent) && parent != path) MkdirAll(parent, mode);
        if (Libc.mkdir(path, mode) < 0 && Libc.Errno != EEXIST)
            throw new SyscallException($"mkdir {path}", Libc.Errno);
    }

    /// <summary>Creates an empty file to bind a file over (its parent directories too).</summary>
    public static void Touch(string path)
    {
        MkdirAll(Path.GetDirectoryName(path)!);
        int fd = Libc.open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0x1a4 /* 0644 */);
        if (fd < 0)
        {
            int e = Libc.Errno;
            if (e == EEXIST || Directory.Exists(path)) return;
            throw new SyscallException($"create mount target {path}", e);
        }
        Libc.close(fd);
    }
}
