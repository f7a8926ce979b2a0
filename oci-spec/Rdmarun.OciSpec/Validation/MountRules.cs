namespace Rdmarun.OciSpec.Validation;

/// <summary>Rules for <c>mounts</c>, <c>root</c> and <c>linux.rootfsPropagation</c>.</summary>
static class MountRules
{
    static readonly string[] Propagations = ["shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"];

    public static void CheckRoot(Spec spec, string? bundleDir, ProblemList p)
    {
        if (spec.Root is null) { p.Error("$.root", "missing: the root filesystem is required"); return; }
        if (string.IsNullOrEmpty(spec.Root.Path)) { p.Error("$.root.path", "missing: the root filesystem path is required"); return; }
        if (string.IsNullOrEmpty(bundleDir)) return;
        string full = System.IO.Path.GetFullPath(spec.Root.Path, System.IO.Path.GetFullPath(bundleDir));
        if (!Directory.Exists(full))
            p.Error("$.root.path", File.Exists(full) ? $"rootfs {full} is not a directory" : $"rootfs {full} does not exist");
    }

    public static void Check(Spec spec, ProblemList p)
    {
        if (spec.Linux?.RootfsPropagation is { Length: > 0 } prop && !Propagations.Contains(prop))
            p.Error("$.linux.rootfsPropagation", $"unsupported propagation {JPath.Q(prop)}");

        if (spec.Mounts is not { } mounts) return;
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            string at = JPath.Index("$.mounts", i);
            if (string.IsNullOrEmpty(m.Destination))
                p.Error($"{at}.destination", "missing: the mount destination is required");
            else if (!m.Destination.StartsWith('/'))
                // runc still accepts these (deprecated) and mounts relative to /.
                p.Warn($"{at}.destination", $"relative destination {JPath.Q(m.Destination)} is deprecated, it is taken relative to /");
            if ((m.Destination + m.Source + m.Type).Contains('\0') || m.Options?.Any(o => o.Contains('\0')) == true)
                p.Error(at, "mount field contains a nul byte");

            bool isBind = m.Type == "bind" || m.Options?.Any(o => o is "bind" or "rbind") == true;
            if (m.UIDMappings is not null || m.GIDMappings is not null)
            {
                if (m.UIDMappings is not { Count: > 0 } || m.GIDMappings is not { Count: > 0 })
                    p.Error(at, "id-mapped mounts need both uidMappings and gidMappings");
                if (!isBind)
                    p.Error(at, "id-mapped mounts are only supported for bind mounts");
            }
        }
    }
}
