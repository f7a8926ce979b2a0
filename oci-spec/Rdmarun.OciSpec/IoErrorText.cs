using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Rdmarun.OciSpec;

/// <summary>
/// "path: reason" for a file-system exception. The NativeAOT binary is built with
/// UseSystemResourceKeys, so .NET's own messages are bare resource keys there
/// ("IO_PathNotFound_Path, /x"); the reason is rebuilt from the exception type or errno instead.
/// </summary>
public static partial class IoErrorText
{
    [GeneratedRegex(@"'(?<p>/[^']*)'|, (?<p>/.*)$")]
    private static partial Regex PathInMessage();

    public static string Describe(Exception e, string? path = null)
    {
        var m = PathInMessage().Match(e.Message);
        path ??= (e as FileNotFoundException)?.FileName ?? (m.Success ? m.Groups["p"].Value : null);
        string why = e switch
        {
            FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
            PathTooLongException => "file name too long",
            UnauthorizedAccessException when path is not null && Directory.Exists(path) => "is a directory",
            UnauthorizedAccessException => "permission denied",
            // On Unix an IOException made from an errno carries it as HResult.
            IOException when e.HResult is > 0 and < 4096 => Lower(Marshal.GetPInvokeErrorMessage(e.HResult)),
            _ => Lower(e.Message),
        };
        return path is null ? why : $"{path}: {why}";
    }

    private static string Lower(string s) => s.Length > 0 ? char.ToLowerInvariant(s[0]) + s[1..] : s;
}
