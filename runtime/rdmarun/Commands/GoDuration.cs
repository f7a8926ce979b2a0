using System.Globalization;
using Rdmarun.Engine;

namespace Rdmarun.Cli.Commands;

/// <summary>Go's time.ParseDuration, which runc's --interval uses: "5s", "1m30s", "250ms", "1.5h".</summary>
public static class GoDuration
{
    public static TimeSpan Parse(string s, string flag)
    {
        var bad = new RuntimeError($"invalid value \"{s}\" for flag -{flag}: parse error (want a duration like 5s, 500ms, 1m)");
        if (s == "0") return TimeSpan.Zero;
        double total = 0;
        int i = 0;
        bool neg = s.StartsWith('-');
        if (neg || s.StartsWith('+')) i++;
        if (i >= s.Length) throw bad;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) throw bad;
            int us = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            total += s[us..i] switch
            {
                "ns" => n / 1e6, "us" or "µs" or "μs" => n / 1e3, "ms" => n,
                "s" => n * 1e3, "m" => n * 60e3, "h" => n * 3600e3,
                _ => throw bad,
            };
        }
        return TimeSpan.FromMilliseconds(neg ? -total : total);
    }
}
