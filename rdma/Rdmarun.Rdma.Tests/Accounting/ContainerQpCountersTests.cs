using Rdmarun.Rdma.Accounting;
using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Tests.Netlink;
using static Rdmarun.Rdma.Tests.Netlink.CounterRecordings;

namespace Rdmarun.Rdma.Tests.Accounting;

public class ContainerQpCountersTests
{
    static readonly HashSet<uint> ContainerTasks = [182, 183];
    const string ModeAck = "30000000 1114 0500 03000000 00000000";

    [Fact]
    public void binds_the_containers_unbound_qps_to_one_new_counter_and_reports_only_its_values()
    {
        // QP 18 belongs to pid 300 and sits in another counter; QP 1 is the kernel's; QP 19 has no port yet.
        var t = new ReplayTransport(
            (QpDumpRequest, [Mlx5QpDumpReply, Done(1)]),
            (CounterDumpRequest2, [Mlx5CountersBefore, Done(2)]),
            (ModeRequest3, [Mlx5ModeManualReply3, Recordings.Ack(3, ModeAck)]),
            (BindQp17NewRequest4, [BindQp17NewReply4, Recordings.Ack(4, "38000000 1014 0500 04000000 00000000")]),
            (BindQp20ToCounter6Request5, [BindQp20ToCounter6Reply5, Recordings.Ack(5, "40000000 1014 0500 05000000 00000000")]),
            (CounterDumpRequest6, [Mlx5CountersAfter6, Done(6)]));
        var r = ContainerQpCounters.Collect(new NldevClient(t), 1, "mlx5_core", ContainerTasks);
        Assert.Null(r.Unavailable);
        var port = Assert.Single(r.Ports);
        Assert.Equal(1u, port.Port);
        Assert.Equal(2, port.Qps);
        Assert.Equal(new Dictionary<string, ulong> { ["rx_write_requests"] = 40, ["rx_read_requests"] = 2 }, port.Counters);
        Assert.True(t.Finished);
    }

    [Fact]
    public void a_driver_without_counter_binding_reports_its_qps_and_says_counters_are_not_supported()
    {
        var t = new ReplayTransport(
            (QpDumpRequest, [RxeQpDumpReply, Done(1)]),
            (CounterDumpRequest2, [Done(2)]),
            (ModeRequest3, [RxeModeNoneReply3, Recordings.Ack(3, ModeAck)]),
            (BindQp17NewRequest4, [BindQp17NoMemoryError4]));
        var r = ContainerQpCounters.Collect(new NldevClient(t), 1, "rxe", ContainerTasks);
        Assert.Equal("counters not supported by rxe", r.Unavailable);
        Assert.Equal([new PortTraffic(1, 1, null)], r.Ports);
        Assert.True(t.Finished);
    }

    [Fact]
    public void auto_mode_set_by_the_admin_is_left_alone_and_mixed_counters_are_not_attributed()
    {
        // QP 22 is unbound, but a port in auto mode refuses manual binds: none is tried. Counter 8 holds QP 23
        // (ours) and QP 18 (pid 300): its values cannot be split, so they are not reported.
        var t = new ReplayTransport(
            (QpDumpRequest, [AutoQpDumpReply, Done(1)]),
            (CounterDumpRequest2, [AutoCounters2, Done(2)]),
            (ModeRequest3, [AutoModeReply3, Recordings.Ack(3, ModeAck)]));
        var r = ContainerQpCounters.Collect(new NldevClient(t), 1, "mlx5_core", ContainerTasks);
        Assert.Null(r.Unavailable);
        var port = Assert.Single(r.Ports);
        Assert.Equal(3, port.Qps);
        Assert.Equal(new Dictionary<string, ulong> { ["rx_write_requests"] = 9 }, port.Counters);
        Assert.True(t.Finished);
    }

    [Fact]
    public void a_container_without_qps_asks_for_nothing_more()
    {
        var t = new ReplayTransport((QpDumpRequest, [Mlx5QpDumpReply, Done(1)]));
        var r = ContainerQpCounters.Collect(new NldevClient(t), 1, "mlx5_core", new HashSet<uint> { 999 });
        Assert.Empty(r.Ports);
        Assert.Null(r.Unavailable);
        Assert.True(t.Finished);
    }

    [Fact]
    public void other_kernel_errors_are_reported_not_thrown()
    {
        var einval = """
            24000000 0200 0001 04000000 e8030000
            eaffffff
            38000000 1014 0500 04000000 00000000
            """;
        var t = new ReplayTransport(
            (QpDumpRequest, [RxeQpDumpReply, Done(1)]),
            (CounterDumpRequest2, [Done(2)]),
            (ModeRequest3, [RxeModeNoneReply3, Recordings.Ack(3, ModeAck)]),
            (BindQp17NewRequest4, [einval]));
        var r = ContainerQpCounters.Collect(new NldevClient(t), 1, "rxe", ContainerTasks);
        Assert.Equal("counters unavailable: rdma: cannot bind queue pair 17 of rdma device index 1 port 1 to a new counter: invalid argument", r.Unavailable);
    }
}
