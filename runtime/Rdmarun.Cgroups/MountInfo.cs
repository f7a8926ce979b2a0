using System.Text;

namespace Rdmarun.Cgroups;

/// <summary>/proc/self/mountinfo field decoding shared by the cgroup layout and the engine's mount checks.</summary>
public static class MountInfo
{
    /// <summary>The kernel writes space, tab, newline and backslash in mountinfo paths as \ooo octal.</summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
