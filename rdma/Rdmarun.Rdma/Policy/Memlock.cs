using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>RLIMIT_MEMLOCK values: "unlimited" or a byte count with an optional binary suffix (k, m, g, t).</summary>
public static class Memlock
{
    /// <summary>RLIM_INFINITY.</summary>
    public const ulong Unlimited = ulong.MaxValue;

    public static bool TryParse(string? text, out ulong bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().ToLowerInvariant();
        if (s is "unlimited" or "infinity" or "-1") { bytes = Unlimited; return true; }
        ulong multiplier = 1;
        var last = s[^1];
        if (last == 'b' && s.Length > 1 && char.IsAsciiLetter(s[^2])) { s = s[..^1]; last = s[^1]; } // "64gb"
        switch (last)
        {
            case 'k': multiplier = 1UL << 10; break;
            case 'm': multiplier = 1UL << 20; break;
            case 'g': multiplier = 1UL << 30; break;
            case 't': multiplier = 1UL << 40; break;
        }
        if (multiplier != 1) s = s[..^1];
        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        if (n > Unlimited / multiplier) return false;
        bytes = n * multiplier;
        return true;
    }

    public static string Format(ulong bytes) => bytes == Unlimited ? "unlimited" : bytes.ToString(CultureInfo.InvariantCulture);
}
