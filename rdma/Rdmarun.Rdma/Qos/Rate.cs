using System.Globalization;

namespace Rdmarun.Rdma.Qos;

/// <summary>Rates in bits per second, written as tc writes them: "100mbit", "2.5gbit", "800kbit", or plain bit/s.</summary>
public static class Rate
{
    public static bool TryParse(string? text, out ulong bitsPerSecond)
    {
        bitsPerSecond = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().ToLowerInvariant();
        ulong unit = 1;
        foreach (var (suffix, u) in new[] { ("tbit", 1_000_000_000_000UL), ("gbit", 1_000_000_000UL), ("mbit", 1_000_000UL), ("kbit", 1_000UL), ("bit", 1UL) })
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            t = t[..^suffix.Length];
            unit = u;
            break;
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n <= 0) return false;
        var bits = n * unit;
        if (bits > ulong.MaxValue || bits < 1) return false;
        bitsPerSecond = (ulong)bits;
        return true;
    }

    /// <summary>The shortest exact form: 10000000 → "10mbit".</summary>
    public static string Format(ulong bitsPerSecond)
    {
        foreach (var (suffix, u) in new[] { ("tbit", 1_000_000_000_000UL), ("gbit", 1_000_000_000UL), ("mbit", 1_000_000UL), ("kbit", 1_000UL) })
            if (bitsPerSecond >= u && bitsPerSecond % u == 0) return $"{bitsPerSecond / u}{suffix}";
        return $"{bitsPerSecond}bit";
    }
}
