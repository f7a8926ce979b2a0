using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>Switches the mount namespace's root to the container rootfs.</summary>
public static class PivotRoot
{
    /// <summary>
    /// pivot_root(".", ".") stacks the old root on top of the new one; then it is detached. This
    /// avoids needing a writable directory in the rootfs for the old root (read-only images).
    /// </summary>
    public static void Pivot(string rootfs)
    {
        int oldRoot = SyscallException.Check(Libc.open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC, 0), "open old root /");
        int newRoot = SyscallException.Check(Libc.open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC, 0), $"open new root {rootfs}");
        try
        {
            SyscallException.Check(Libc.fchdir(newRoot), $"chdir to {rootfs}");
            if (Libc.syscall(SYS_pivot_root, Dot, Dot, 0, 0, 0) < 0)
                throw new SyscallException($"pivot_root to {rootfs}", Libc.Errno);
            SyscallException.Check(Libc.fchdir(oldRoot), "chdir to the old root");
            // Make the old root a slave before detaching it so the unmount cannot propagate to the host.
            Mounter.Mount(null, ".", null, MS_SLAVE | MS_REC, null);
            SyscallException.Check(Libc.umount2(".", MNT_DETACH), "detach the old root");
            SyscallException.Check(Libc.chdir("/"), "chdir to the new root");
        }
        finally
        {
            Libc.close(oldRoot);
            Libc.close(newRoot);
        }
    }

    /// <summary>--no-pivot: move the rootfs over / and chroot (for ramfs roots where pivot_root fails).</summary>
    public static void MoveRoot(string rootfs)
    {
        SyscallException.Check(Libc.chdir(rootfs), $"chdir to {rootfs}");
        Mounter.Mount(rootfs, "/", null, MS_MOVE, null);
        SyscallException.Check(Libc.chroot("."), $"chroot to {rootfs}");
        SyscallException.Check(Libc.chdir("/"), "chdir to the new root");
    }

    /// <summary>
    /// No mount namespace: pivot_root would swap the host's root and MS_MOVE would move the rootfs
    /// over the host's /, so only chroot is left (runc does the same). The rootfs mount stays in the
    /// host's mount table, recorded by the parent and removed on delete.
    /// </summary>
    public static void Chroot(string rootfs)
    {
        SyscallException.Check(Libc.chdir(rootfs), $"chdir to {rootfs}");
        SyscallException.Check(Libc.chroot("."), $"chroot to {rootfs}");
        SyscallException.Check(Libc.chdir("/"), "chdir to the new root");
    }

    private static readonly nint Dot = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(".");
}
