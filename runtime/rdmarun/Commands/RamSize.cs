using System.Globalization;
using Rdmarun.Engine;

namespace Rdmarun.Cli.Commands;

/// <summary>
/// Memory sizes as runc's update flags take them (docker's units.RAMInBytes): "512m", "1g", "100kb",
/// "1.5GiB", plain bytes; binary multiples; "-1" means unlimited.
/// </summary>
public static class RamSize
{
    public static long Parse(string s, string flag)
    {
        var t = s.Trim();
        if (t == "-1") return -1;
        int i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.')) i++;
        var unit = t[i..].Trim().ToLowerInvariant();
        if (i == 0 || !double.TryParse(t[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            throw new RuntimeError($"invalid value \"{s}\" for flag -{flag}: invalid size");
        if (unit.EndsWith("ib")) unit = unit[..^2];
        else if (unit.Length > 1 && unit.EndsWith('b')) unit = unit[..^1];
        double mult = unit switch
        {
            "" or "b" => 1, "k" => 1L << 10, "m" => 1L << 20, "g" => 1L << 30, "t" => 1L << 40, "p" => 1L << 50,
            _ => throw new RuntimeError($"invalid value \"{s}\" for flag -{flag}: unknown size unit \"{t[i..]}\""),
        };
        return (long)(n * mult);
    }
}
