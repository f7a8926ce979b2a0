namespace Rdmarun.Cli;

/// <summary>
/// Flags as runc (urfave/cli) takes them: `--name value`, `--name=value`, `-n value`, single or
/// double dash; boolean flags take no value; parsing stops at `--` or the first positional
/// argument (so `exec id sh -c ...` keeps the command's own flags).
/// </summary>
public sealed class ArgParser
{
    private readonly Dictionary<string, (string Canonical, bool TakesValue)> _flags = new();
    private readonly Dictionary<string, List<string>> _values = new();
    public List<string> Positional { get; } = [];

    public ArgParser Flag(string names, bool takesValue = false)
    {
        var all = names.Split('|');
        foreach (var n in all) _flags[n] = (all[0], takesValue);
        return this;
    }

    /// <summary>
    /// <paramref name="reorder"/>: known flags after a positional argument count too (`run ID -b DIR`,
    /// as Slurm's oci.conf writes it), as runc's CLI reorders them for every command but exec and ps.
    /// </summary>
    public ArgParser Parse(IReadOnlyList<string> args, int start, bool reorder = false)
    {
        if (reorder) args = Reordered(args, start);
        int i = start;
        for (; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--") { i++; break; }
            if (a.Length < 2 || a[0] != '-') break;
            var body = a.TrimStart('-');
            string? inline = null;
            int eq = body.IndexOf('=');
            if (eq >= 0) { inline = body[(eq + 1)..]; body = body[..eq]; }
            if (!_flags.TryGetValue(body, out var f)) throw new Engine.RuntimeError($"flag provided but not defined: -{body}");
            string value;
            if (f.TakesValue)
            {
                if (inline is not null) value = inline;
                else if (i + 1 < args.Count) value = args[++i];
                else throw new Engine.RuntimeError($"flag needs an argument: -{body}");
            }
            else value = inline ?? "true";
            if (!_values.TryGetValue(f.Canonical, out var list)) _values[f.Canonical] = list = [];
            list.Add(value);
        }
        for (; i < args.Count; i++) Positional.Add(args[i]);
        return this;
    }

    /// <summary>Known flags (with the value of a value flag) first, the other words after them in order, up to `--`.</summary>
    private List<string> Reordered(IReadOnlyList<string> args, int start)
    {
        var flags = new List<string>();
        var rest = new List<string>();
        int i = start;
        for (; i < args.Count && args[i] != "--"; i++)
        {
            var a = args[i];
            var name = a.TrimStart('-').Split('=')[0];
            if (a.Length < 2 || a[0] != '-') { rest.Add(a); continue; }
            // As runc: a misspelt flag after the id (`run ID --detatch`) is an error, not an ignored word.
            if (!_flags.TryGetValue(name, out var f)) throw new Engine.RuntimeError($"flag provided but not defined: -{name}");
            flags.Add(a);
            if (!f.TakesValue || a.Contains('=')) continue;
            // Moved in front of the id, a value flag left without its value would take the id as it.
            if (i + 1 >= args.Count) throw new Engine.RuntimeError($"flag needs an argument: -{name}");
            flags.Add(args[++i]);
        }
        var result = args.Take(start).ToList();
        result.AddRange(flags);
        result.AddRange(rest);
        for (; i < args.Count; i++) result.Add(args[i]);
        return result;
    }

    public string? Get(string name) => _values.TryGetValue(name, out var l) ? l[^1] : null;
    public List<string> GetAll(string name) => _values.TryGetValue(name, out var l) ? l : [];
    public bool Has(string name) => _values.ContainsKey(name);

    public bool Bool(string name)
    {
        var v = Get(name);
        return v is not null && v is not ("false" or "0");
    }

    public int Int(string name, int def = 0)
    {
        var v = Get(name);
        if (v is null) return def;
        return int.TryParse(v, out var n) ? n : throw new Engine.RuntimeError($"invalid value \"{v}\" for flag -{name}: not a number");
    }

    /// <summary>The container id: exactly one positional argument unless more are allowed.</summary>
    public string RequireId(string command)
    {
        if (Positional.Count < 1) throw new Engine.RuntimeError($"\"{command}\" requires a container id");
        return Positional[0];
    }
}
