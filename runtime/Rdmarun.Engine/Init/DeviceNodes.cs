using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>Creates /dev entries inside the rootfs before pivot_root.</summary>
public static class DeviceNodes
{
    public static void Create(string rootfs, IReadOnlyList<LinuxDevice>? specDevices, bool inUserNs)
    {
        var done = new HashSet<string>();
        foreach (var d in specDevices ?? [])
        {
            Make(rootfs, d.Path, d.Type, d.Major, d.Minor, d.FileMode, d.UID, d.GID, inUserNs);
            done.Add(d.Path);
        }
        foreach (var (path, major, minor) in DefaultDevices.Nodes)
            if (!done.Contains(path)) Make(rootfs, path, "c", major, minor, 0x1b6 /* 0666 */, 0, 0, inUserNs);
        foreach (var (link, target) in DefaultDevices.Symlinks)
        {
            var at = SecurePath.Join(rootfs, link);
            if (File.Exists(at) || Directory.Exists(at) || new FileInfo(at).LinkTarget is not null) continue;
            SyscallException.Check(Libc.symlink(target, at), $"symlink {link} -> {target}");
        }
        if (File.Exists("/proc/kcore"))
        {
            var core = SecurePath.Join(rootfs, "/dev/core");
            if (new FileInfo(core).LinkTarget is null && !File.Exists(core))
                Libc.symlink("/proc/kcore", core);
        }
    }

    private static void Make(string rootfs, string path, string type, long major, long minor, uint? mode, uint? uid, uint? gid, bool inUserNs)
    {
        if (!path.StartsWith('/')) throw new RuntimeError($"linux.devices: path {path} is not absolute");
        // Resolve only the parent inside the rootfs: the node itself replaces whatever the image put at
        // its path. Following an image's /dev/null symlink would make the node at the link's target and
        // leave the link, which masked paths would then bind (CVE-2025-31133).
        var name = Path.GetFileName(path);
        if (name.Length == 0 || name is "." or "..") throw new RuntimeError($"linux.devices: path {path} names no file");
        var dest = Path.Combine(SecurePath.Join(rootfs, Path.GetDirectoryName(path)!), name);
        Mounter.MkdirAll(Path.GetDirectoryName(dest)!);
        if (new FileInfo(dest).LinkTarget is not null) File.Delete(dest); // unlinks the link, not its target
        if (inUserNs)
        {
            // mknod is not allowed in a user namespace: bind the host's node instead (as runc does).
            Mounter.Touch(dest);
            Mounter.Mount(path, dest, "bind", MS_BIND, null);
            return;
        }
        int kind = type switch
        {
            "c" or "u" => S_IFCHR,
            "b" => S_IFBLK,
            "p" => S_IFIFO,
            _ => throw new RuntimeError($"linux.devices: {path}: unknown device type {type}"),
        };
        int perm = (int)(mode ?? 0x1b6) & 0xfff;
        if (File.Exists(dest)) File.Delete(dest);
        int oldMask = Libc.umask(0);
        int rc = Libc.mknod(dest, kind | perm, LibcConst.Makedev(major, minor));
        int e = Libc.Errno;
        Libc.umask(oldMask);
        if (rc < 0) throw new SyscallException($"mknod {path} ({type} {major}:{minor})", e);
        SyscallException.Check(Libc.chown(dest, (int)(uid ?? 0), (int)(gid ?? 0)), $"chown {path}");
    }
}
