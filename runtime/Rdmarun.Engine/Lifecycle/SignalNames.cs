namespace Rdmarun.Engine.Lifecycle;

/// <summary>Signal names and numbers as `kill` accepts them: KILL, SIGKILL, 9.</summary>
public static class SignalNames
{
    private static readonly Dictionary<string, int> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string s)
    {
        if (int.TryParse(s, out int n))
        {
            if (n is > 0 and <= 64) return n;
            throw new RuntimeError($"invalid signal: {s}");
        }
        var name = s.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? s[3..] : s;
        if (Table.TryGetValue(name, out n)) return n;
        if (name.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase))
        {
            var rest = name[5..];
            if (rest.Length == 0) return 34;
            if (rest.StartsWith('+') && int.TryParse(rest[1..], out int k) && 34 + k <= 64) return 34 + k;
        }
        throw new RuntimeError($"unknown signal \"{s}\"");
    }
}
