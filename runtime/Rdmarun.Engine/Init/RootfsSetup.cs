using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// Stage 2, before pivot_root: makes the rootfs a private mount tree, performs the spec's
/// mounts inside it and creates /dev. Runs in the container's new mount namespace.
/// </summary>
public static class RootfsSetup
{
    public static void Prepare(Spec spec, InitConfig cfg)
    {
        var rootfs = cfg.Rootfs;
        // No mount namespace: these mounts go into the host's mount table, below the private rootfs
        // mount the parent placed (Lifecycle.HostRootfs). The host's / keeps its propagation.
        if (cfg.HostMountNs) { MountAll(spec, cfg); return; }
        // Before the first mount the tree gets what the spec asks (so a "shared" request keeps bind
        // sources in their host peer groups, as runc does) or, by default, rslave: nothing we mount
        // propagates back to the host. Not "unbindable": every bind source below / would then be
        // refused (mount(2) EINVAL). RootfsFinalize applies the requested value to the new root.
        nuint prop = PropagationFlag(spec.Linux?.RootfsPropagation) is { } p && (p & MS_UNBINDABLE) == 0 ? p : MS_SLAVE | MS_REC;
        Mounter.Mount(null, "/", null, prop, null);
        // pivot_root refuses a new root whose parent mount is shared; the bind below then copies
        // the private parent, so the container's own mounts under it stay off the host too.
        RootfsParentMount.MakePrivate(rootfs);
        // pivot_root needs the new root to be a mount point.
        Mounter.Mount(rootfs, rootfs, "bind", MS_BIND | MS_REC, null);

        MountAll(spec, cfg);
    }

    private static void MountAll(Spec spec, InitConfig cfg)
    {
        var rootfs = cfg.Rootfs;
        foreach (var m in spec.Mounts ?? [])
            MountOne(m, cfg, spec.Linux?.MountLabel);
        // A /dev bound from the host already has its nodes; otherwise create them (tmpfs or rootfs /dev).
        bool devIsHostBind = (spec.Mounts ?? []).Any(m => m.Destination.TrimEnd('/') == "/dev" && MountOptions.Parse(m.Options).IsBind);
        if (!devIsHostBind)
            DeviceNodes.Create(rootfs, spec.Linux?.Devices, cfg.NewUserNs || UserNamespaceCheck.InUserNamespace());
        if (cfg.RdmaSysfsVisible is { } rdmaVisible) Rdma.RdmaSysfsFilter.Apply(rootfs, rdmaVisible);
    }

    public static nuint? PropagationFlag(string? name) => name switch
    {
        null or "" => null,
        "shared" => MS_SHARED | MS_REC,
        "slave" => MS_SLAVE | MS_REC,
        "private" => MS_PRIVATE | MS_REC,
        "unbindable" => MS_UNBINDABLE | MS_REC,
        _ => throw new RuntimeError($"linux.rootfsPropagation: unknown value {name}"),
    };

    private static void MountOne(Mount m, InitConfig cfg, string? mountLabel)
    {
        if (!m.Destination.StartsWith('/'))
            m.Destination = "/" + m.Destination; // runc accepts relative destinations (with a warning)
        var opts = MountOptions.Parse(m.Options);
        var dest = SecurePath.Join(cfg.Rootfs, m.Destination);
        string type = m.Type ?? "";
        // procfs and sysfs only on an ordinary directory: an image whose /proc is a symlink would
        // otherwise choose where the real procfs lands and leave a fake one at /proc, where the
        // init's procfs writes and LSM label checks look (CVE-2019-16884, runc's rule too).
        if (type is "proc" or "sysfs" && dest != Path.GetFullPath(cfg.Rootfs.TrimEnd('/') + "/" + m.Destination.TrimStart('/')).TrimEnd('/'))
            throw new RuntimeError($"mounts: {type} must be mounted on an ordinary directory, but {m.Destination} in the rootfs goes through a symlink");
        if (opts.IsBind || type == "bind")
        {
            BindMount(m, opts, dest, cfg);
        }
        else if (type == "cgroup" || type == "cgroup2")
        {
            CgroupMount.Mount(dest, opts, cfg);
        }
        else
        {
            Mounter.MkdirAll(dest);
            try
            {
                // linux.mountLabel labels the filesystems that take a context= option (as runc).
                var data = type is "tmpfs" or "devpts" or "mqueue" ? LsmLabels.WithMountLabel(opts.Data, mountLabel) : opts.Data;
                Mounter.MountInRoot(m.Source ?? type, cfg.Rootfs, dest, type, opts.Flags, data);
            }
            catch (SyscallException e) when (type == "sysfs" && e.Errno == 1 /* EPERM */)
            {
                // sysfs cannot be mounted in a user namespace that does not own the netns: bind the host's.
                Mounter.Mount("/sys", dest, "bind", MS_BIND | MS_REC, null);
                Mounter.BindRemount(dest, opts.Flags & ~(MS_BIND | MS_REC));
            }
        }
        // A bind of a shared host mount joins its peer group. In the host's mount namespace that would
        // send anything mounted below it later (by us or the container) back to the host: make it a
        // slave, as the rslave / of a namespace of our own does.
        if (cfg.HostMountNs)
            Mounter.Mount(null, dest, null, MS_SLAVE | MS_REC, null);
        foreach (var p in opts.Propagation)
            Mounter.Mount(null, dest, null, p, null);
    }

    private static void BindMount(Mount m, MountOptions opts, string dest, InitConfig cfg)
    {
        var source = m.Source ?? throw new RuntimeError($"mounts: bind mount to {m.Destination} has no source");
        if (!source.StartsWith('/')) source = Path.Combine(cfg.Bundle, source);
        if (Directory.Exists(source)) Mounter.MkdirAll(dest);
        else if (File.Exists(source) || new FileInfo(source).LinkTarget is not null) Mounter.Touch(dest);
        else throw new RuntimeError($"mounts: bind source {source} for {m.Destination} does not exist");
        Mounter.MountInRoot(source, cfg.Rootfs, dest, "bind", MS_BIND | (opts.IsRecursive ? MS_REC : 0), null);
        // Flags other than bind/rec only take effect through a remount of the bind.
        nuint extra = opts.Flags & ~(MS_BIND | MS_REC);
        if (extra != 0) Mounter.BindRemount(dest, extra);
    }
}
