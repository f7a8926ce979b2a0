using System.Runtime.InteropServices;

namespace Rdmarun.Hooks.Tests;

/// <summary>libc calls the tests need to set up fds the library itself would never create.</summary>
internal static unsafe partial class TestLibC
{
    [LibraryImport("libc", SetLastError = true)] internal static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport("libc", SetLastError = true)] internal static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport("libc", SetLastError = true)] internal static partial int dup(int fd);
    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int FD_CLOEXEC = 1;

    /// <summary>Reads a pipe until end of file.</summary>
    internal static string ReadAll(int fd)
    {
        var bytes = new List<byte>();
        byte* buf = stackalloc byte[4096];
        while (true)
        {
            nint n = read(fd, buf, 4096);
            if (n <= 0) break;
            bytes.AddRange(new ReadOnlySpan<byte>(buf, (int)n).ToArray());
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
