using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>A spec mount's options split into mount(2) flags, propagation flags and fs data.</summary>
public sealed record MountOptions(nuint Flags, IReadOnlyList<nuint> Propagation, string Data)
{
    public bool IsBind => (Flags & MS_BIND) != 0;
    public bool IsRecursive => (Flags & MS_REC) != 0;

    private static readonly Dictionary<string, (bool Clear, nuint Flag)> FlagTable = new()
    {
        ["async"] = (true, MS_SYNCHRONOUS), ["atime"] = (true, MS_NOATIME), ["bind"] = (false, MS_BIND),
        ["defaults"] = (false, 0), ["dev"] = (true, MS_NODEV), ["diratime"] = (true, MS_NODIRATIME),
        ["dirsync"] = (false, MS_DIRSYNC), ["exec"] = (true, MS_NOEXEC), ["lazytime"] = (false, MS_LAZYTIME),
        ["nolazytime"] = (true, MS_LAZYTIME), ["loud"] = (true, MS_SILENT), ["mand"] = (false, MS_MANDLOCK),
        ["noatime"] = (false, MS_NOATIME), ["nodev"] = (false, MS_NODEV), ["nodiratime"] = (false, MS_NODIRATIME),
        ["noexec"] = (false, MS_NOEXEC), ["nomand"] = (true, MS_MANDLOCK), ["norelatime"] = (true, MS_RELATIME),
        ["nostrictatime"] = (true, MS_STRICTATIME), ["nosuid"] = (false, MS_NOSUID),
        ["nosymfollow"] = (false, MS_NOSYMFOLLOW), ["rbind"] = (false, MS_BIND | MS_REC), ["relatime"] = (false, MS_RELATIME),
        ["ro"] = (false, MS_RDONLY), ["rw"] = (true, MS_RDONLY), ["silent"] = (false, MS_SILENT),
        ["strictatime"] = (false, MS_STRICTATIME), ["suid"] = (true, MS_NOSUID), ["sync"] = (false, MS_SYNCHRONOUS),
        ["symfollow"] = (true, MS_NOSYMFOLLOW),
    };

    private static readonly Dictionary<string, nuint> PropagationTable = new()
    {
        ["private"] = MS_PRIVATE, ["rprivate"] = MS_PRIVATE | MS_REC, ["shared"] = MS_SHARED,
        ["rshared"] = MS_SHARED | MS_REC, ["slave"] = MS_SLAVE, ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE, ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        nuint flags = 0;
        var prop = new List<nuint>();
        var data = new List<string>();
        foreach (var o in options ?? [])
        {
            if (FlagTable.TryGetValue(o, out var f))
            {
                if (f.Clear) flags &= ~f.Flag; else flags |= f.Flag;
            }
            else if (PropagationTable.TryGetValue(o, out var p)) prop.Add(p);
            else if (o.StartsWith('r') && FlagTable.ContainsKey(o[1..]) && o != "rw")
            {
                // Recursive variants (rro, rnosuid...) need mount_setattr; applied non-recursively here.
                var g = FlagTable[o[1..]];
                if (g.Clear) flags &= ~g.Flag; else flags |= g.Flag;
            }
            else if (o is "idmap" or "ridmap" or "tmpcopyup") { /* not supported yet: ignored as runc 1.1 does */ }
            else data.Add(o);
        }
        return new MountOptions(flags, prop, string.Join(',', data));
    }

    /// <summary>statvfs f_flag bits → the mount(2) flags a bind remount must keep (the kernel locks them in user namespaces).</summary>
    public static nuint FromStatvfs(ulong f)
    {
        nuint m = 0;
        if ((f & 1) != 0) m |= MS_RDONLY;
        if ((f & 2) != 0) m |= MS_NOSUID;
        if ((f & 4) != 0) m |= MS_NODEV;
        if ((f & 8) != 0) m |= MS_NOEXEC;
        if ((f & 1024) != 0) m |= MS_NOATIME;
        if ((f & 2048) != 0) m |= MS_NODIRATIME;
        if ((f & 4096) != 0) m |= MS_RELATIME;
        return m;
    }
}
