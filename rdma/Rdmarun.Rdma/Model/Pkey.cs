using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>Parsing and formatting of 16-bit partition keys as written in sysfs and by admins ("0x8001").</summary>
public static class Pkey
{
    public static string Format(ushort value) => "0x" + value.ToString("x4", CultureInfo.InvariantCulture);

    /// <summary>Accepts "0x8001", "8001" (hex, as sysfs and ip-link write them).</summary>
    public static bool TryParse(string? text, out ushort value)
    {
        value = 0;
        if (text is null) return false;
        var s = text.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        return s.Length is > 0 and <= 4
            && ushort.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Whether <paramref name="allowed"/> covers <paramref name="requested"/>: same partition, and a limited
    /// member key (high bit clear) never grants full membership.
    /// </summary>
    public static bool Covers(ushort allowed, ushort requested)
        => (allowed & 0x7fff) == (requested & 0x7fff) && ((allowed & 0x8000) != 0 || (requested & 0x8000) == 0);
}
