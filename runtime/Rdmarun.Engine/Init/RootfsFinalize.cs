using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>Stage 2, after pivot_root: sysctls, read-only and masked paths, read-only root, names.</summary>
public static class RootfsFinalize
{
    public static void Apply(Spec spec, bool ownUts)
    {
        var linux = spec.Linux;
        foreach (var (key, value) in linux?.Sysctl ?? [])
            WriteSysctl(key, value);
        foreach (var p in linux?.ReadonlyPaths ?? [])
            ReadonlyPath(p);
        foreach (var p in linux?.MaskedPaths ?? [])
            MaskPath(p);
        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            if (!ownUts) throw new RuntimeError("hostname: setting the hostname requires a uts namespace");
            SyscallException.Check(Libc.sethostname(spec.Hostname, System.Text.Encoding.UTF8.GetByteCount(spec.Hostname)), $"sethostname {spec.Hostname}");
        }
        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            if (!ownUts) throw new RuntimeError("domainname: setting the domainname requires a uts namespace");
            SyscallException.Check(Libc.setdomainname(spec.Domainname, System.Text.Encoding.UTF8.GetByteCount(spec.Domainname)), $"setdomainname {spec.Domainname}");
        }
        if (spec.Root?.Readonly == true)
            Mounter.BindRemount("/", MS_RDONLY);
        if (RootfsSetup.PropagationFlag(linux?.RootfsPropagation) is { } prop)
            Mounter.Mount(null, "/", null, prop, null);
    }

    private static void WriteSysctl(string key, string value)
    {
        if (key.Contains("..") || key.Contains('\0')) throw new RuntimeError($"linux.sysctl: invalid key {key}");
        // Through a verified procfs fd: a bind mount over /proc/sys/... from the spec or the image
        // must not turn the sysctl into a write to a host file (CVE-2019-16884 class).
        ProcWrite.Write("sys/" + key.Replace('.', '/'), value, $"linux.sysctl {key}={value}", noSymlinks: true);
    }

    private static void ReadonlyPath(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) return;
        Mounter.Mount(path, path, "bind", MS_BIND | MS_REC, null);
        Mounter.BindRemount(path, MS_RDONLY | MS_REC);
    }

    private static void MaskPath(string path)
    {
        if (Directory.Exists(path))
            Mounter.Mount("tmpfs", path, "tmpfs", MS_RDONLY, null);
        else if (File.Exists(path))
        {
            // /dev/null must really be the null device: an image could have replaced it with a
            // symlink to a host file (2025 runc masked-path advisory).
            var st = new FileInfo("/dev/null");
            if (st.LinkTarget is not null) throw new RuntimeError("masked paths: /dev/null in the container is a symlink, refusing to bind it");
            Mounter.Mount("/dev/null", path, "bind", MS_BIND, null);
        }
    }
}
