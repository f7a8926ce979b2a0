namespace Rdmarun.Rdma.Netlink;

/// <summary>
/// Linux errno values the nldev paths produce, with glibc's texts in lower case, so messages do not depend on
/// the C library's locale.
/// </summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
        EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, EMSGSIZE = 90,
        EPROTONOSUPPORT = 93, EOPNOTSUPP = 95, EAFNOSUPPORT = 97;

    public static string Text(int errno) => errno switch
    {
        EPERM => "operation not permitted",
        ENOENT => "no such file or directory",
        ESRCH => "no such process",
        EINTR => "interrupted system call",
        EIO => "input/output error",
        EBADF => "bad file descriptor",
        EAGAIN => "resource temporarily unavailable",
        ENOMEM => "cannot allocate memory",
        EACCES => "permission denied",
        EFAULT => "bad address",
        EBUSY => "device or resource busy",
        EEXIST => "file exists",
        ENODEV => "no such device",
        EINVAL => "invalid argument",
        EMSGSIZE => "message too long",
        EPROTONOSUPPORT => "protocol not supported",
        EOPNOTSUPP => "operation not supported",
        EAFNOSUPPORT => "address family not supported by protocol",
        _ => $"errno {errno}",
    };
}
