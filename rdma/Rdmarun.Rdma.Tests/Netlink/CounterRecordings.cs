namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>
/// QP counter exchanges, hand-built from the attribute layout of include/uapi/rdma/rdma_netlink.h and the fill
/// functions of drivers/infiniband/core/nldev.c (Linux 6.1): tables and their entries from res_get_common_dumpit
/// carry no NLA_F_NESTED flag (nla_nest_start_noflag), the QP list and hardware counters inside a counter do
/// (nla_nest_start). Kernel replies carry the socket's port id 1000; requests carry 0.
/// </summary>
public static class CounterRecordings
{
    // mlx5_0 (supports QP counters): the container has tasks 182 and 183
    public const string QpDumpRequest = """
        18000000 0a14 0503 01000000 00000000    # RDMA_NLDEV_CMD_RES_QP_GET dump
        0800 0100 01000000                      # DEV_INDEX 1
        """;

    public const string Mlx5QpDumpReply = """
        20010000 0a14 0200 01000000 e8030000    # RES_QP_GET dump reply
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        fc00 1300                               # RES_QP table
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 11000000                      # RES_LQPN 17
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b6000000                      # RES_PID 182
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 12000000                      # RES_LQPN 18
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 2c010000                      # RES_PID 300
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            3000 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 01000000                      # RES_LQPN 1
                0c00 1d00 69625f636f726500              # RES_KERN_NAME "ib_core"
                0500 1a00 01000000                      # RES_TYPE 1 (GSI)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            2c00 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 1500 13000000                      # RES_LQPN 19
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b7000000                      # RES_PID 183
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 00000000                      # RES_STATE 0 (RESET)
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 14000000                      # RES_LQPN 20
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b7000000                      # RES_PID 183
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
        """;

    public const string CounterDumpRequest2 = """
        20000000 1114 0503 02000000 00000000    # RDMA_NLDEV_CMD_STAT_GET dump
        0800 0100 01000000                      # DEV_INDEX 1
        0800 4b00 13000000                      # STAT_RES RES_QP
        """;

    public const string Mlx5CountersBefore = """
        a8000000 1114 0200 02000000 e8030000    # STAT_GET dump reply: another container's counter 5
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        8400 4d00                               # STAT_COUNTER table
            8000 4e00                               # STAT_COUNTER_ENTRY
                0800 0300 01000000                      # PORT_INDEX 1
                0800 4f00 05000000                      # STAT_COUNTER_ID 5
                0800 4a00 02000000                      # STAT_MODE 2 (manual)
                1000 1380                               # RES_QP (NLA_F_NESTED)
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 12000000                      # RES_LQPN 18
                5400 5080                               # STAT_HWCOUNTERS (NLA_F_NESTED)
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1600 5200 72785f77726974655f7265717565737473000000# HWCOUNTER_ENTRY_NAME "rx_write_requests"
                        0c00 5300 0700000000000000              # HWCOUNTER_ENTRY_VALUE 7
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1500 5200 72785f726561645f726571756573747300000000# HWCOUNTER_ENTRY_NAME "rx_read_requests"
                        0c00 5300 0100000000000000              # HWCOUNTER_ENTRY_VALUE 1
        """;

    public const string ModeRequest3 = """
        30000000 1114 0500 03000000 00000000    # RDMA_NLDEV_CMD_STAT_GET
        0800 0100 01000000                      # DEV_INDEX 1
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4b00 13000000                      # STAT_RES RES_QP
        0800 4a00 00000000                      # STAT_MODE (must be present; value ignored)
        """;

    public const string Mlx5ModeManualReply3 = """
        34000000 1114 0000 03000000 e8030000    # RDMA_NLDEV_CMD_STAT_GET reply
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4a00 02000000                      # STAT_MODE 2
        """;

    public const string BindQp17NewRequest4 = """
        38000000 1014 0500 04000000 00000000    # RDMA_NLDEV_CMD_STAT_SET
        0800 0100 01000000                      # DEV_INDEX 1
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4b00 13000000                      # STAT_RES RES_QP
        0800 4a00 02000000                      # STAT_MODE manual
        0800 1500 11000000                      # RES_LQPN 17
        """;

    public const string BindQp17NewReply4 = """
        3c000000 1014 0000 04000000 e8030000    # RDMA_NLDEV_CMD_STAT_SET reply
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4f00 06000000                      # STAT_COUNTER_ID 6
        0800 1500 11000000                      # RES_LQPN 17
        """;

    public const string BindQp20ToCounter6Request5 = """
        40000000 1014 0500 05000000 00000000    # RDMA_NLDEV_CMD_STAT_SET
        0800 0100 01000000                      # DEV_INDEX 1
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4b00 13000000                      # STAT_RES RES_QP
        0800 4a00 02000000                      # STAT_MODE manual
        0800 1500 14000000                      # RES_LQPN 20
        0800 4f00 06000000                      # STAT_COUNTER_ID 6
        """;

    public const string BindQp20ToCounter6Reply5 = """
        3c000000 1014 0000 05000000 e8030000    # RDMA_NLDEV_CMD_STAT_SET reply
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4f00 06000000                      # STAT_COUNTER_ID 6
        0800 1500 14000000                      # RES_LQPN 20
        """;

    public const string CounterDumpRequest6 = """
        20000000 1114 0503 06000000 00000000    # RDMA_NLDEV_CMD_STAT_GET dump
        0800 0100 01000000                      # DEV_INDEX 1
        0800 4b00 13000000                      # STAT_RES RES_QP
        """;

    public const string Mlx5CountersAfter6 = """
        34010000 1114 0200 06000000 e8030000    # STAT_GET dump reply: counter 6 now holds QPs 17 and 20
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        1001 4d00                               # STAT_COUNTER table
            8000 4e00                               # STAT_COUNTER_ENTRY
                0800 0300 01000000                      # PORT_INDEX 1
                0800 4f00 05000000                      # STAT_COUNTER_ID 5
                0800 4a00 02000000                      # STAT_MODE 2 (manual)
                1000 1380                               # RES_QP (NLA_F_NESTED)
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 12000000                      # RES_LQPN 18
                5400 5080                               # STAT_HWCOUNTERS (NLA_F_NESTED)
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1600 5200 72785f77726974655f7265717565737473000000# HWCOUNTER_ENTRY_NAME "rx_write_requests"
                        0c00 5300 0700000000000000              # HWCOUNTER_ENTRY_VALUE 7
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1500 5200 72785f726561645f726571756573747300000000# HWCOUNTER_ENTRY_NAME "rx_read_requests"
                        0c00 5300 0100000000000000              # HWCOUNTER_ENTRY_VALUE 1
            8c00 4e00                               # STAT_COUNTER_ENTRY
                0800 0300 01000000                      # PORT_INDEX 1
                0800 4f00 06000000                      # STAT_COUNTER_ID 6
                0800 4a00 02000000                      # STAT_MODE 2 (manual)
                1c00 1380                               # RES_QP (NLA_F_NESTED)
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 11000000                      # RES_LQPN 17
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 14000000                      # RES_LQPN 20
                5400 5080                               # STAT_HWCOUNTERS (NLA_F_NESTED)
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1600 5200 72785f77726974655f7265717565737473000000# HWCOUNTER_ENTRY_NAME "rx_write_requests"
                        0c00 5300 2800000000000000              # HWCOUNTER_ENTRY_VALUE 40
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1500 5200 72785f726561645f726571756573747300000000# HWCOUNTER_ENTRY_NAME "rx_read_requests"
                        0c00 5300 0200000000000000              # HWCOUNTER_ENTRY_VALUE 2
        """;

    // rxe0 (no QP counter ops)
    public const string RxeQpDumpReply = """
        8c000000 0a14 0200 01000000 e8030000    # RES_QP_GET dump reply
        0800 0100 01000000                      # DEV_INDEX 1
        0900 0200 7278653000000000              # DEV_NAME "rxe0"
        6800 1300                               # RES_QP table
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 11000000                      # RES_LQPN 17
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b6000000                      # RES_PID 182
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            3000 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 01000000                      # RES_LQPN 1
                0c00 1d00 69625f636f726500              # RES_KERN_NAME "ib_core"
                0500 1a00 01000000                      # RES_TYPE 1 (GSI)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
        """;

    public const string RxeModeNoneReply3 = """
        34000000 1114 0000 03000000 e8030000    # RDMA_NLDEV_CMD_STAT_GET reply
        0800 0100 01000000                      # DEV_INDEX 1
        0900 0200 7278653000000000              # DEV_NAME "rxe0"
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4a00 00000000                      # STAT_MODE 0
        """;

    // mlx5_0 with auto mode set by the admin
    public const string AutoQpDumpReply = """
        f8000000 0a14 0200 01000000 e8030000    # RES_QP_GET dump reply
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        d400 1300                               # RES_QP table
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 11000000                      # RES_LQPN 17
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b6000000                      # RES_PID 182
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 12000000                      # RES_LQPN 18
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 2c010000                      # RES_PID 300
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 16000000                      # RES_LQPN 22
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b6000000                      # RES_PID 182
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
            3400 1400                               # RES_QP_ENTRY (no NLA_F_NESTED: nla_nest_start_noflag)
                0800 0300 01000000                      # PORT_INDEX 1
                0800 1500 17000000                      # RES_LQPN 23
                0800 3c00 01000000                      # RES_PDN 1
                0800 1c00 b6000000                      # RES_PID 182
                0500 1a00 02000000                      # RES_TYPE 2 (RC)
                0500 1b00 03000000                      # RES_STATE 3 (RTS)
        """;

    public const string AutoCounters2 = """
        f4000000 1114 0200 02000000 e8030000    # STAT_GET dump reply: auto counters 7 (ours) and 8 (mixed)
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        d000 4d00                               # STAT_COUNTER table
            6000 4e00                               # STAT_COUNTER_ENTRY
                0800 0300 01000000                      # PORT_INDEX 1
                0800 4f00 07000000                      # STAT_COUNTER_ID 7
                0800 4a00 01000000                      # STAT_MODE 1 (auto)
                0500 1a00 02000000                      # RES_TYPE 2 (auto criterion)
                1000 1380                               # RES_QP (NLA_F_NESTED)
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 11000000                      # RES_LQPN 17
                2c00 5080                               # STAT_HWCOUNTERS (NLA_F_NESTED)
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1600 5200 72785f77726974655f7265717565737473000000# HWCOUNTER_ENTRY_NAME "rx_write_requests"
                        0c00 5300 0900000000000000              # HWCOUNTER_ENTRY_VALUE 9
            6c00 4e00                               # STAT_COUNTER_ENTRY
                0800 0300 01000000                      # PORT_INDEX 1
                0800 4f00 08000000                      # STAT_COUNTER_ID 8
                0800 4a00 01000000                      # STAT_MODE 1 (auto)
                0500 1a00 02000000                      # RES_TYPE 2 (auto criterion)
                1c00 1380                               # RES_QP (NLA_F_NESTED)
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 12000000                      # RES_LQPN 18
                    0c00 1480                               # RES_QP_ENTRY
                        0800 1500 17000000                      # RES_LQPN 23
                2c00 5080                               # STAT_HWCOUNTERS (NLA_F_NESTED)
                    2800 5180                               # STAT_HWCOUNTER_ENTRY
                        1600 5200 72785f77726974655f7265717565737473000000# HWCOUNTER_ENTRY_NAME "rx_write_requests"
                        0c00 5300 6400000000000000              # HWCOUNTER_ENTRY_VALUE 100
        """;

    public const string AutoModeReply3 = """
        3c000000 1114 0000 03000000 e8030000    # RDMA_NLDEV_CMD_STAT_GET reply
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4a00 01000000                      # STAT_MODE 1
        0800 4c00 01000000                      # STAT_AUTO_MODE_MASK 1
        """;

    public const string UnbindRequest1 = """
        38000000 1214 0500 01000000 00000000    # RDMA_NLDEV_CMD_STAT_DEL
        0800 0100 01000000                      # DEV_INDEX 1
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4b00 13000000                      # STAT_RES RES_QP
        0800 4f00 06000000                      # STAT_COUNTER_ID 6
        0800 1500 11000000                      # RES_LQPN 17
        """;

    public const string UnbindReply1 = """
        3c000000 1014 0000 01000000 e8030000    # reply to STAT_DEL: the kernel types it RDMA_NLDEV_CMD_STAT_SET
        0800 0100 01000000                      # DEV_INDEX 1
        0b00 0200 6d6c78355f300000              # DEV_NAME "mlx5_0"
        0800 0300 01000000                      # PORT_INDEX 1
        0800 4f00 06000000                      # STAT_COUNTER_ID 6
        0800 1500 11000000                      # RES_LQPN 17
        """;

    public static string Done(int seq) => $"14000000 0300 0200 {seq:x2}000000 e8030000 00000000   # NLMSG_DONE, status 0";

    /// <summary>rxe has no counter_alloc_stats: alloc_and_bind() returns NULL and the bind answers ENOMEM (seen in the lab).</summary>
    public const string BindQp17NoMemoryError4 = """
        24000000 0200 0001 04000000 e8030000   # NLMSG_ERROR, NLM_F_CAPPED
        f4ffffff                               # -ENOMEM
        38000000 1014 0500 04000000 00000000   # the request's header
        """;
}
