namespace Rdmarun.Engine.Native;

/// <summary>An error from a system call: says what was done, on what, and the kernel's reason.</summary>
public sealed class SyscallException : Exception
{
    public int Errno { get; }

    public SyscallException(string what, int errno)
        : base($"{what}: {Libc.StrError(errno).ToLowerInvariant()}") => Errno = errno;

    /// <summary>Throws with the current errno when <paramref name="rc"/> is negative.</summary>
    public static int Check(int rc, string what)
    {
        if (rc < 0) throw new SyscallException(what, Libc.Errno);
        return rc;
    }

    public static long Check(long rc, string what)
    {
        if (rc < 0) throw new SyscallException(what, Libc.Errno);
        return rc;
    }
}
