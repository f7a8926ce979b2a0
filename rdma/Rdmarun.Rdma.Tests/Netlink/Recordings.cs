namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>
/// nldev exchanges as bytes on the wire (x86-64, little-endian), laid out from the kernel's nldev.c reply
/// builders (fill_dev_info, fill_port_info, nldev_get_chardev, nldev_sys_get_doit) and netlink_ack(). Our port id
/// is 1000 (e8030000); requests carry port id 0 like iproute2's.
/// </summary>
public static class Recordings
{
    public const string DeviceDumpRequest = """
        10000000 0114 0503 01000000 00000000   # len 16, RDMA_NLDEV_CMD_GET (5<<10|1), REQUEST|ACK|DUMP, seq 1
        """;

    /// <summary>mlx5_0 (index 1) and mlx5_10 (index 11) in one datagram.</summary>
    public const string DeviceDumpReply = """
        78000000 0114 0200 01000000 e8030000   # len 120, NLM_F_MULTI
        0800 0100 01000000                     # DEV_INDEX 1
        0b00 0200 6d6c78355f3000 00            # DEV_NAME "mlx5_0"
        0800 0300 01000000                     # PORT_INDEX (port count) 1
        0c00 0400 361ce2251c000000             # CAP_FLAGS
        0f00 0500 31362e33352e3230303000 00    # FW_VERSION "16.35.2000"
        0c00 0600 00341200 03a1420c            # NODE_GUID 0c42:a103:0012:3400
        0c00 0700 00341200 03a1420c            # SYS_IMAGE_GUID
        0500 0e00 01 000000                    # DEV_NODE_TYPE 1 (CA)
        0500 5400 01 000000                    # DEV_DIM 1
        0700 4300 696200 00                    # DEV_PROTOCOL "ib"
        78000000 0114 0200 01000000 e8030000   # second message
        0800 0100 0b000000                     # DEV_INDEX 11
        0c00 0200 6d6c78355f313000             # DEV_NAME "mlx5_10"
        0800 0300 01000000
        0c00 0400 361ce2251c000000
        0f00 0500 31362e33352e3230303000 00
        0c00 0600 0a341200 03a1420c            # NODE_GUID 0c42:a103:0012:340a
        0c00 0700 00341200 03a1420c
        0500 0e00 01 000000
        0500 5400 01 000000
        0700 4300 696200 00
        """;

    public const string DumpDone = """
        14000000 0300 0200 01000000 e8030000 00000000   # NLMSG_DONE, status 0
        """;

    public const string PortDumpRequest = """
        18000000 0514 0503 01000000 00000000   # RDMA_NLDEV_CMD_PORT_GET dump
        0800 0100 01000000                     # DEV_INDEX 1: the kernel dumps one device's ports
        """;

    /// <summary>rxe0 port 1 (RoCE: no LID attributes) and NLMSG_DONE in the same datagram.</summary>
    public const string PortDumpReplyWithDone = """
        50000000 0514 0200 01000000 e8030000
        0800 0100 01000000                     # DEV_INDEX 1
        0900 0200 7278653000 000000            # DEV_NAME "rxe0"
        0800 0300 01000000                     # PORT_INDEX 1
        0500 0c00 04 000000                    # PORT_STATE 4 (ACTIVE)
        0500 0d00 05 000000                    # PORT_PHYS_STATE 5 (LinkUp)
        0800 3200 03000000                     # NDEV_INDEX 3
        0a00 3300 7665746830 00 0000           # NDEV_NAME "veth0"
        14000000 0300 0200 01000000 e8030000 00000000
        """;

    public const string GetUverbsRequest = """
        24000000 0f14 0500 01000000 00000000   # len 36, RDMA_NLDEV_CMD_GET_CHARDEV, REQUEST|ACK
        0800 0100 01000000                     # DEV_INDEX 1
        0b00 4500 757665726273 00 00           # CHARDEV_TYPE "uverbs"
        """;

    public const string GetUverbsReply = """
        34000000 0f14 0000 01000000 e8030000
        0c00 4800 c0e7000000000000             # CHARDEV huge_encode_dev(231:192)
        0c00 4700 0100000000000000             # CHARDEV_ABI 1
        0c00 4600 7576657262733000             # CHARDEV_NAME "uverbs0"
        """;

    public const string GetUverbsAck = """
        24000000 0200 0001 01000000 e8030000   # NLMSG_ERROR, NLM_F_CAPPED
        00000000                               # error 0: ACK
        24000000 0f14 0500 01000000 00000000   # the request's header
        """;

    public const string GetRdmaCmRequest = """
        1c000000 0f14 0500 01000000 00000000
        0c00 4500 72646d615f636d00             # CHARDEV_TYPE "rdma_cm", no device: rdma_cm is global
        """;

    public const string GetRdmaCmReply = """
        34000000 0f14 0000 01000000 e8030000
        0c00 4800 390a000000000000             # CHARDEV 10:57
        0c00 4700 0400000000000000             # CHARDEV_ABI 4
        0c00 4600 72646d615f636d00             # CHARDEV_NAME "rdma_cm"
        """;

    public const string GetRdmaCmAck = """
        24000000 0200 0001 01000000 e8030000 00000000 1c000000 0f14 0500 01000000 00000000
        """;

    public static string SysGetRequest(int seq) => $"""
        10000000 0614 0500 {seq:x2}000000 00000000   # RDMA_NLDEV_CMD_SYS_GET, REQUEST|ACK
        """;

    public static string SysGetReply(int seq, bool shared) => $"""
        20000000 0614 0000 {seq:x2}000000 e8030000
        0500 4200 {(shared ? "01" : "00")} 000000    # SYS_ATTR_NETNS_MODE
        0500 5d00 00 000000                          # SYS_ATTR_COPY_ON_FORK 0
        """;

    public static string Ack(int seq, string requestHeader) => $"""
        24000000 0200 0001 {seq:x2}000000 e8030000 00000000 {requestHeader}
        """;

    public const string SysSetExclusiveRequest = """
        18000000 0714 0500 01000000 00000000   # RDMA_NLDEV_CMD_SYS_SET
        0500 4200 00 000000                    # SYS_ATTR_NETNS_MODE 0 (exclusive)
        """;

    public const string SysSetBusyError = """
        24000000 0200 0001 01000000 e8030000
        f0ffffff                               # -EBUSY
        18000000 0714 0500 01000000 00000000
        """;

    /// <summary>Move mlx5_1 (index 2) into the netns of fd 7.</summary>
    public const string MoveRequest = """
        20000000 0214 0500 01000000 00000000   # RDMA_NLDEV_CMD_SET, REQUEST|ACK, seq 1
        0800 0100 02000000                     # DEV_INDEX 2
        0800 4400 07000000                     # NET_NS_FD 7
        """;

    /// <summary>The undo: mlx5_1 back into the netns of fd 9 (the host's).</summary>
    public const string MoveBackRequest = """
        20000000 0214 0500 02000000 00000000   # seq 2
        0800 0100 02000000
        0800 4400 09000000                     # NET_NS_FD 9
        """;

    /// <summary>rxe0 (index 1) into fd 7.</summary>
    public const string MoveRxeRequest = """
        20000000 0214 0500 01000000 00000000
        0800 0100 01000000
        0800 4400 07000000
        """;

    /// <summary>Not capped: the kernel echoes the whole request after the error code.</summary>
    public const string MoveRxeNotSupported = """
        34000000 0200 0000 01000000 e8030000
        a1ffffff                               # -EOPNOTSUPP (95)
        20000000 0214 0500 01000000 00000000 0800 0100 01000000 0800 4400 07000000
        """;
}
