using System.Runtime.InteropServices;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Launch;

/// <summary>
/// CVE-2019-5736: a container process could open /proc/&lt;init&gt;/exe while the init still ran
/// the runtime's binary and later overwrite the host's runtime through it. The init is therefore
/// executed from a sealed memfd copy of ourselves: writes to it fail with EPERM for ever, and
/// the host binary is never the init's executable.
/// </summary>
public static unsafe partial class SealedSelf
{
    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private const int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);
    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendfile(int outFd, int inFd, long* offset, nint count);

    /// <summary>A sealed memfd holding a copy of /proc/self/exe (close-on-exec in this process).</summary>
    public static int Create()
    {
        int src = SyscallException.Check(Libc.open("/proc/self/exe", LibcConst.O_RDONLY | LibcConst.O_CLOEXEC, 0), "open /proc/self/exe");
        int mfd = -1;
        try
        {
            mfd = memfd_create("rdmarun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (mfd < 0) throw new SyscallException("memfd_create for the sealed init binary", Libc.Errno);
            while (true)
            {
                nint n = sendfile(mfd, src, null, 1 << 30);
                if (n < 0)
                {
                    if (Libc.Errno == LibcConst.EINTR) continue;
                    throw new SyscallException("copy /proc/self/exe into the sealed memfd", Libc.Errno);
                }
                if (n == 0) break;
            }
            SyscallException.Check(Libc.fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), "seal the init binary");
            return mfd;
        }
        catch
        {
            if (mfd >= 0) Libc.close(mfd);
            throw;
        }
        finally { Libc.close(src); }
    }
}
