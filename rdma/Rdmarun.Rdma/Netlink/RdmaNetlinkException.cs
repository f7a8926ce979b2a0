namespace Rdmarun.Rdma.Netlink;

/// <summary>An nldev operation the kernel (or the socket) refused; <see cref="Errno"/> is positive.</summary>
public sealed class RdmaNetlinkException(string message, int errno, string? kernelMessage = null) : Exception(message)
{
    public int Errno { get; } = errno;

    /// <summary>The extended-ack text the kernel attached, if any.</summary>
    public string? KernelMessage { get; } = kernelMessage;
}
