using System.Globalization;
using System.Text;
using Rdmarun.Engine.Init;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// The `template` file of a launch template (LAUNCH_TEMPLATE.md): one directive per line, read by
/// the C fast path (launch_fast.c) before .NET starts, so the format is that document's, not JSON.
/// Pure: every input is a parameter.
/// </summary>
public static class LaunchTemplateFile
{
    public const int Version = 1;

    public sealed record Inputs(
        int GuardPid, ulong GuardStartTime,
        ulong RootfsDev, ulong RootfsIno,
        string Bundle, string Rootfs,
        IReadOnlyDictionary<string, string> CgroupPaths,
        Spec Effective,
        LaunchSpec.EnvInputs Env,
        IReadOnlyList<(string Directive, string? Value)>? Run = null);

    public static string Text(Inputs i)
    {
        var sb = new StringBuilder();
        void Line(string directive, string? rest = null)
        {
            // The C reader splits on newlines: a value holding one would forge a directive.
            if (rest is not null && (rest.Contains('\n') || rest.Contains('\0')))
                throw new RuntimeError($"launch template: the {directive} value {rest.Split('\n')[0]}... contains a newline or NUL");
            sb.Append(directive);
            if (rest is not null) sb.Append(' ').Append(rest);
            sb.Append('\n');
        }
        string U(ulong v) => v.ToString(CultureInfo.InvariantCulture);

        Line("version", Version.ToString(CultureInfo.InvariantCulture));
        Line("guard", $"{i.GuardPid} {U(i.GuardStartTime)}");
        Line("rootfs", $"{U(i.RootfsDev)} {U(i.RootfsIno)}");
        Line("bundle", i.Bundle);
        Line("rootfspath", i.Rootfs);
        foreach (var (key, dir) in i.CgroupPaths.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key.Contains(' ')) throw new RuntimeError($"launch template: cgroup key {key} contains a space");
            Line("cgroup", $"{(key.Length == 0 ? "-" : key)} {dir}");
        }
        var p = i.Effective.Process ?? throw new RuntimeError("launch template: the effective spec has no process");
        if (p.Capabilities is not null)
        {
            var c = CapabilitySets.FromSpec(p.Capabilities);
            Line("caps", $"{c.Bounding:x} {c.Effective:x} {c.Permitted:x} {c.Inheritable:x} {c.Ambient:x}");
        }
        foreach (var l in p.Rlimits ?? [])
        {
            if (!Rlimits.TryGetResource(l.Type, out int res)) throw new RuntimeError($"launch template: unknown rlimit type {l.Type}");
            Line("rlimit", $"{res} {U(l.Soft)} {U(l.Hard)}");
        }
        if (p.NoNewPrivileges) Line("nnp");
        if (p.User.Umask is { } mask) Line("umask", "0" + Convert.ToString(mask, 8));
        if (p.OomScoreAdj is { } oom) Line("oom", oom.ToString(CultureInfo.InvariantCulture));
        foreach (var e in i.Env.Spec) Line("env", e);
        foreach (var pre in i.Env.PassPrefixes) Line("passprefix", pre);
        foreach (var name in i.Env.PassNames) Line("passname", name);
        foreach (var e in i.Env.Set) Line("setenv", e);
        // A run template (RUN_TEMPLATE.md): what each container makes of its own.
        foreach (var (d, rest) in i.Run ?? []) Line(d, rest);
        return sb.ToString();
    }

    /// <summary>What teardown and garbage collection need from a written `template`.</summary>
    public sealed record Summary(int Version, int GuardPid, ulong GuardStartTime, ulong RootfsDev, ulong RootfsIno,
        string? Bundle, string? Rootfs, Dictionary<string, string> CgroupPaths);

    /// <summary>Reads the lines teardown and the publisher's checks use; null when there is no (readable) template file.</summary>
    public static Summary? Read(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        int version = 0, pid = 0;
        ulong start = 0, dev = 0, ino = 0;
        string? bundle = null, rootfs = null;
        var cgroups = new Dictionary<string, string>();
        foreach (var line in lines)
        {
            int sp = line.IndexOf(' ');
            if (sp < 0) continue;
            var rest = line[(sp + 1)..];
            switch (line[..sp])
            {
                case "version": int.TryParse(rest, out version); break;
                case "guard":
                    var g = rest.Split(' ');
                    if (g.Length == 2) { int.TryParse(g[0], out pid); ulong.TryParse(g[1], out start); }
                    break;
                case "rootfs":
                    var r = rest.Split(' ');
                    if (r.Length == 2) { ulong.TryParse(r[0], out dev); ulong.TryParse(r[1], out ino); }
                    break;
                case "bundle": bundle = rest; break;
                case "rootfspath": rootfs = rest; break;
                case "cgroup":
                    int k = rest.IndexOf(' ');
                    if (k > 0) cgroups[rest[..k] == "-" ? "" : rest[..k]] = rest[(k + 1)..];
                    break;
            }
        }
        return new Summary(version, pid, start, dev, ino, bundle, rootfs, cgroups);
    }
}
