using Rdmarun.Cgroups;
using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// pivot_root(2) (and the MS_MOVE of --no-pivot) fail with EINVAL when the mount holding the new
/// root is shared. It is shared in the container's mount namespace when rootfsPropagation asks for
/// "shared", or when the host's mounts are shared and the spec keeps them so. Making that one mount
/// private changes only this namespace's copy, which pivot_root then detaches with the old root.
/// </summary>
public static class RootfsParentMount
{
    public static void MakePrivate(string rootfs)
    {
        int fd = SyscallException.Check(Libc.open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0), $"open {rootfs}");
        string fdinfo;
        try { fdinfo = File.ReadAllText($"/proc/self/fdinfo/{fd}"); }
        finally { Libc.close(fd); }
        // By mount id, not by path prefix: the bundle path may run through symlinks.
        int id = MountId(fdinfo) ?? throw new RuntimeError($"rootfs {rootfs}: no mnt_id in /proc/self/fdinfo");
        var point = MountPoint(id, File.ReadLines("/proc/self/mountinfo"))
            ?? throw new RuntimeError($"rootfs {rootfs}: mount {id} not in /proc/self/mountinfo");
        Mounter.Mount(null, point, null, MS_PRIVATE, null);
    }

    /// <summary>The "mnt_id:" field of a /proc/self/fdinfo/N file.</summary>
    public static int? MountId(string fdinfo)
    {
        foreach (var line in fdinfo.Split('\n'))
            if (line.StartsWith("mnt_id:", StringComparison.Ordinal) && int.TryParse(line.AsSpan(7).Trim(), out int id))
                return id;
        return null;
    }

    /// <summary>Mount point (field 5, octal escapes decoded) of the mountinfo line whose id is <paramref name="id"/>.</summary>
    public static string? MountPoint(int id, IEnumerable<string> mountinfo)
    {
        foreach (var line in mountinfo)
        {
            var f = line.Split(' ');
            if (f.Length > 4 && int.TryParse(f[0], out int lineId) && lineId == id) return MountInfo.Unescape(f[4]);
        }
        return null;
    }
}
