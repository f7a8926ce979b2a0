using System.Runtime.InteropServices;

namespace Rdmarun.Rdma.Netlink;

public sealed partial class NetlinkRdmaSocket
{
    const int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 0x80000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_(string path, int flags);

    /// <summary>
    /// Opens the socket inside the netns of <paramref name="netnsFd"/>. A netlink socket stays in the netns it was
    /// created in, and nldev finds devices by index only in the socket's netns, so moving a device back out of a
    /// container (exclusive mode) needs a socket created inside the container's netns. setns() changes only the
    /// calling thread's netns; a dedicated thread does it so no pool thread is left in the container's netns.
    /// Needs CAP_SYS_ADMIN.
    /// </summary>
    public static NetlinkRdmaSocket OpenInNetns(int netnsFd)
    {
        NetlinkRdmaSocket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                socket = OpenInNetnsOnThisThread(netnsFd);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw failure!;
    }

    static NetlinkRdmaSocket OpenInNetnsOnThisThread(int netnsFd)
    {
        var own = open_("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0) throw Failure("open /proc/thread-self/ns/net");
        try
        {
            if (setns(netnsFd, CLONE_NEWNET) < 0) throw Failure($"enter the network namespace of fd {netnsFd}");
            try
            {
                return Open();
            }
            finally
            {
                // The thread ends right after; returning is tidiness, and a failure here cannot leak the netns.
                setns(own, CLONE_NEWNET);
            }
        }
        finally
        {
            close(own);
        }
    }
}
