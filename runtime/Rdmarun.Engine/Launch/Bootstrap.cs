using System.Text;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Launch;

/// <summary>Builds frame 1 of PROTOCOL.md: what stage 1 joins and unshares.</summary>
public sealed class Bootstrap
{
    public ulong CloneFlags { get; private set; }
    public List<(string ProcName, string Path)> Joins { get; } = [];
    public List<string> TimeOffsets { get; } = [];
    public int? OomScoreAdj { get; set; }
    public bool NewUserNs => (CloneFlags & Namespaces.CLONE_NEWUSER) != 0;

    public static Bootstrap ForCreate(Spec spec)
    {
        var b = new Bootstrap();
        var seen = new HashSet<string>();
        foreach (var ns in spec.Linux?.Namespaces ?? [])
        {
            if (!seen.Add(ns.Type)) throw new RuntimeError($"linux.namespaces: duplicate namespace {ns.Type}");
            ulong flag = Namespaces.Flag(ns.Type);
            if (string.IsNullOrEmpty(ns.Path)) b.CloneFlags |= flag;
            else b.Joins.Add((Namespaces.ProcName(ns.Type), ns.Path));
        }
        foreach (var (clock, off) in spec.Linux?.TimeOffsets ?? [])
            b.TimeOffsets.Add($"{clock} {off.Secs} {off.Nanosecs}");
        b.OomScoreAdj = spec.Process?.OomScoreAdj;
        return b;
    }

    /// <summary>exec: join every namespace the container's init is in (paths recorded at create).</summary>
    public static Bootstrap ForExec(IReadOnlyDictionary<string, string> nsPaths, int? oomScoreAdj)
    {
        var b = new Bootstrap { OomScoreAdj = oomScoreAdj };
        foreach (var (type, path) in nsPaths) b.Joins.Add((Namespaces.ProcName(type), path));
        return b;
    }

    public string Encode(bool waitForMap)
    {
        var sb = new StringBuilder();
        sb.Append("clone ").Append(CloneFlags).Append('\n');
        foreach (var (name, path) in Joins)
        {
            if (path.Contains('\n')) throw new RuntimeError($"linux.namespaces: path of {name} contains a newline");
            sb.Append("join ").Append(name).Append(' ').Append(path).Append('\n');
        }
        foreach (var t in TimeOffsets) sb.Append("timens ").Append(t).Append('\n');
        if (OomScoreAdj is { } oom) sb.Append("oom ").Append(oom).Append('\n');
        if (waitForMap) sb.Append("mapwait\n");
        return sb.ToString();
    }
}
