using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>Tolerant reads of small sysfs attribute files: a missing or unreadable attribute is null, not an error.</summary>
internal static class SysfsFile
{
    public static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            // Some attributes (e.g. an unused RoCE GID slot) fail read() with EINVAL instead of being empty.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"4: ACTIVE" → (4, "ACTIVE").</summary>
    public static (int Code, string Text) ReadCoded(string path)
    {
        var s = Read(path);
        if (s is null) return (0, "UNKNOWN");
        var colon = s.IndexOf(':');
        if (colon < 0) return int.TryParse(s, out var n) ? (n, s) : (0, s);
        var code = int.TryParse(s.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : 0;
        return (code, s[(colon + 1)..].Trim());
    }

    /// <summary>"231:192" → (231, 192).</summary>
    public static (int Major, int Minor)? ReadDevNumbers(string path)
    {
        var s = Read(path);
        if (s is null) return null;
        var parts = s.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minor)
            ? (major, minor)
            : null;
    }

    /// <summary>Parses "0x5" or "5".</summary>
    public static int? ReadInt(string path)
    {
        var s = Read(path);
        if (s is null) return null;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return int.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : null;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    /// <summary>The mode's owner-write bit (root ignores modes, so the bit is what says whether the kernel has a store method).</summary>
    public static bool OwnerWritable(string path)
    {
        try { return (File.GetUnixFileMode(path) & UnixFileMode.UserWrite) != 0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Names of entries in a directory whose names are numbers, in numeric order.</summary>
    public static IEnumerable<int> NumberedEntries(string dir)
    {
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFileSystemEntries(dir)
            .Select(p => int.TryParse(Path.GetFileName(p), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n >= 0)
            .Order();
    }

    public static IEnumerable<string> EntryNames(string dir)
        => Directory.Exists(dir)
            ? Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];
}
