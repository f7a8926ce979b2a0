using System.Runtime.InteropServices;

namespace Rdmarun.Hooks;

/// <summary>A libc call failed; <see cref="Errno"/> is the error number, the message names the call and its object.</summary>
public sealed class PosixException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;

    /// <summary>strerror text in lower case, the way Go (and so runc) prints errno values.</summary>
    public static string ErrnoText(int errno)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : $"errno {errno}";
    }

    /// <summary>Builds "<paramref name="what"/>: errno text" from the calling thread's last P/Invoke error.</summary>
    internal static PosixException FromLastError(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new PosixException($"{what}: {ErrnoText(errno)}", errno);
    }
}
