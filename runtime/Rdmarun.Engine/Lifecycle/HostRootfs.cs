using System.Runtime.InteropServices;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// A container without a mount namespace does its mounts in the host's mount table. runc makes the
/// host's / rslave for that and leaves the mounts behind after delete. rdmarun instead attaches one
/// private recursive bind of the rootfs onto itself (everything else the init mounts lies below it)
/// and records that mount's id before it is attached, so delete, delete --force after a kill and a
/// failed create detach exactly it, with everything below it.
/// </summary>
public static unsafe class HostRootfs
{
    private const int SYS_statx = 332, SYS_open_tree = 428, SYS_move_mount = 429;
    private const int OPEN_TREE_CLONE = 1, AT_RECURSIVE = 0x8000, MOVE_MOUNT_F_EMPTY_PATH = 4, UMOUNT_NOFOLLOW = 8;
    private const uint STATX_MNT_ID = 0x1000, STATX_MNT_ID_UNIQUE = 0x4000;

    /// <summary>Clones rootfs, calls <paramref name="record"/> with its id, then attaches it over rootfs and makes it private.</summary>
    public static HostRootfsMount Place(string rootfs, Action<HostRootfsMount> record)
    {
        // A detached clone first: its id can be saved before the host's mount table changes, and a
        // kill before the move frees it with the fd.
        int tree = (int)Syscall(SYS_open_tree, AT_FDCWD, rootfs, OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
        if (tree < 0) throw new SyscallException($"clone the rootfs mount {rootfs}", Libc.Errno);
        try
        {
            var (id, unique) = MountId(tree, "", AT_EMPTY_PATH) ?? throw new SyscallException($"statx mount id of {rootfs}", Libc.Errno);
            var m = new HostRootfsMount { Path = rootfs, MountId = id, UniqueId = unique };
            record(m);
            if (SyscallFd(SYS_move_mount, tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                throw new SyscallException($"attach the rootfs mount at {rootfs}", Libc.Errno);
            // Attaching under a shared host mount made it shared: private now, before the init mounts
            // anything below it, so none of the container's mounts propagates to the host. The host's
            // own mounts (/ included) keep their propagation.
            if (Libc.mount(null, rootfs, null, MS_PRIVATE | MS_REC, null) < 0)
                throw new SyscallException($"make the rootfs mount at {rootfs} private", Libc.Errno);
            return m;
        }
        finally { Libc.close(tree); }
    }

    /// <summary>Detaches the recorded mount (and all below it) if it is still the one on top of its path.</summary>
    public static void Remove(HostRootfsMount? m)
    {
        if (m is null) return;
        var top = MountId(AT_FDCWD, m.Path, 0, m.UniqueId);
        // Not (or no longer) there: create died before the move, or it is already gone.
        if (top is null || top.Value.Id != m.MountId) return;
        if (Libc.umount2(m.Path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
            throw new SyscallException($"unmount the container's rootfs mount at {m.Path}", Libc.Errno);
    }

    private static (ulong Id, bool Unique)? MountId(int dirfd, string path, int flags, bool? unique = null)
    {
        uint mask = unique switch { true => STATX_MNT_ID_UNIQUE, false => STATX_MNT_ID, null => STATX_MNT_ID_UNIQUE | STATX_MNT_ID };
        byte* buf = stackalloc byte[256]; // struct statx
        nint p = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            if (Libc.syscall(SYS_statx, dirfd, p, flags | AT_SYMLINK_NOFOLLOW, (nint)mask, (nint)buf) < 0) return null;
        }
        finally { Marshal.FreeCoTaskMem(p); }
        uint got = *(uint*)buf;                 // stx_mask
        ulong id = *(ulong*)(buf + 0x90);       // stx_mnt_id
        if ((got & STATX_MNT_ID_UNIQUE) != 0) return (id, true);
        if ((got & STATX_MNT_ID) != 0 && unique != true) return (id, false);
        return null;
    }

    private static nint Syscall(int nr, int dirfd, string path, int flags)
    {
        nint p = Marshal.StringToCoTaskMemUTF8(path);
        try { return Libc.syscall(nr, dirfd, p, flags, 0, 0); }
        finally { Marshal.FreeCoTaskMem(p); }
    }

    private static nint SyscallFd(int nr, int fromFd, string fromPath, int toDirFd, string toPath, int flags)
    {
        nint a = Marshal.StringToCoTaskMemUTF8(fromPath), b = Marshal.StringToCoTaskMemUTF8(toPath);
        try { return Libc.syscall(nr, fromFd, a, toDirFd, b, flags); }
        finally { Marshal.FreeCoTaskMem(a); Marshal.FreeCoTaskMem(b); }
    }

    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
}
