using System.Text;

namespace Rdmarun.Conformance;

/// <summary>The validator's key=value lines; a key may repeat (env, mount, cgroup).</summary>
sealed class Facts
{
    readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    public string Raw { get; }

    Facts(string raw) => Raw = raw;

    public static Facts Parse(string output)
    {
        var facts = new Facts(output);
        foreach (var line in output.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq <= 0)
                continue;
            string key = line[..eq];
            if (!facts._values.TryGetValue(key, out var list))
                facts._values[key] = list = [];
            list.Add(Unescape(line[(eq + 1)..]));
        }
        return facts;
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public IReadOnlyList<string> All(string key) => _values.TryGetValue(key, out var l) ? l : [];

    public string this[string key] => _values.TryGetValue(key, out var l)
        ? l[^1]
        : throw new CaseFailedException($"validator did not report {key}; output was: {Shorten(Raw)}");

    /// <summary>The numeric inode of ns.NAME ("net:[4026531833]" → 4026531833).</summary>
    public string NsInode(string ns) => ExtractInode(this[$"ns.{ns}"]);

    public static string ExtractInode(string link)
    {
        int open = link.IndexOf('['), close = link.IndexOf(']');
        return open >= 0 && close > open ? link[(open + 1)..close] : link;
    }

    /// <summary>The mountinfo line whose mount point is exactly <paramref name="mountPoint"/> (last one wins, as the kernel shows it).</summary>
    public MountInfo? Mount(string mountPoint) =>
        All("mount").Select(MountInfo.Parse).LastOrDefault(m => m?.MountPoint == mountPoint);

    static string Unescape(string s)
    {
        if (!s.Contains('\\'))
            return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                char c = s[++i];
                sb.Append(c switch { 'n' => '\n', '0' => '\0', _ => c });
            }
            else
                sb.Append(s[i]);
        }
        return sb.ToString();
    }

    public static string Shorten(string s) => s.Length > 600 ? s[..600] + "..." : s;
}

/// <summary>One /proc/self/mountinfo line: per-mount options and superblock options kept apart.</summary>
sealed record MountInfo(string MountPoint, string FsType, string Source, IReadOnlySet<string> MountOptions, IReadOnlySet<string> SuperOptions)
{
    public static MountInfo? Parse(string line)
    {
        // id parent major:minor root mountpoint options [optional...] - fstype source superopts
        var parts = line.Split(' ');
        int dash = Array.IndexOf(parts, "-");
        if (parts.Length < 6 || dash < 6 || dash + 3 > parts.Length)
            return null;
        return new MountInfo(
            Decode(parts[4]), parts[dash + 1], parts[dash + 2],
            parts[5].Split(',').ToHashSet(),
            (dash + 3 < parts.Length ? parts[dash + 3] : "").Split(',').ToHashSet());
    }

    static string Decode(string s) => s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");

    public bool Has(string option) => MountOptions.Contains(option) || SuperOptions.Contains(option);

    public override string ToString() =>
        $"{MountPoint} {FsType} {string.Join(',', MountOptions)} {string.Join(',', SuperOptions)}";
}
