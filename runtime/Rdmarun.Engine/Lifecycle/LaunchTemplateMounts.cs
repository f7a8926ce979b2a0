using Rdmarun.Cgroups;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>The mounts of a launch template: `.launch` as a private bind of itself, and `mnt`, the bind of a rank's mount namespace.</summary>
public static class LaunchTemplateMounts
{
    /// <summary>
    /// Makes <paramref name="dir"/> a private mount. Private, because the nsfs binds below it must
    /// not propagate into peer mount namespaces (a namespace pinned from inside one it pins would
    /// never be freed); a bind of itself, because only a mount point has a propagation type of its own.
    /// </summary>
    public static void MakePrivate(string dir)
    {
        if (IsMountPoint(dir)) return;
        SyscallException.Check(Libc.mount(dir, dir, null, LibcConst.MS_BIND, null), $"bind {dir} onto itself");
        if (Libc.mount(null, dir, null, LibcConst.MS_PRIVATE, null) < 0)
        {
            int e = Libc.Errno;
            Libc.umount2(dir, LibcConst.MNT_DETACH);
            throw new SyscallException($"make {dir} a private mount", e);
        }
    }

    /// <summary>Binds the mount namespace of <paramref name="pid"/> onto a new empty file <paramref name="target"/>: it lives as long as the bind.</summary>
    public static void BindMountNamespace(int pid, string target)
    {
        File.WriteAllBytes(target, []);
        SyscallException.Check(Libc.mount($"/proc/{pid}/ns/mnt", target, null, LibcConst.MS_BIND, null),
            $"bind the mount namespace of {pid} onto {target}");
    }

    /// <summary>Detaches the mount at <paramref name="path"/>; nothing to do when it is not (any more) a mount point.</summary>
    public static void Detach(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) return; // rootless templates have no `mnt`
        if (Libc.umount2(path, LibcConst.MNT_DETACH) == 0) return;
        int e = Libc.Errno;
        if (e is LibcConst.EINVAL or LibcConst.ENOENT) return;
        throw new SyscallException($"unmount {path}", e);
    }

    /// <summary>True when some mount of this namespace sits exactly at <paramref name="path"/> (field 5 of /proc/self/mountinfo).</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var f = line.Split(' ');
            if (f.Length > 4 && MountInfo.Unescape(f[4]) == full) return true;
        }
        return false;
    }
}
