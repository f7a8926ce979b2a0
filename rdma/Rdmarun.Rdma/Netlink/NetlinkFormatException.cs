namespace Rdmarun.Rdma.Netlink;

public sealed class NetlinkFormatException(string message) : Exception(message);
