namespace Rdmarun.Cgroups;

/// <summary>A cgroup operation failed; <see cref="Errno"/> is set when a system call said why.</summary>
public sealed class CgroupException : Exception
{
    public int Errno { get; }

    public CgroupException(string message, int errno = 0, Exception? inner = null) : base(message, inner) => Errno = errno;
}
