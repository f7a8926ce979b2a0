using Rdmarun.Rdma.Netlink;
using static Rdmarun.Rdma.Tests.Netlink.CounterRecordings;

namespace Rdmarun.Rdma.Tests.Netlink;

public class NldevCounterTests
{
    static string Ack(int seq, string header) => Recordings.Ack(seq, header);

    [Fact]
    public void qp_dump_reads_port_pid_type_and_state_of_each_qp()
    {
        var t = new ReplayTransport((QpDumpRequest, [Mlx5QpDumpReply, Done(1)]));
        Assert.Equal(
            [new NldevQp(17, 1, 182, 2, 3), new NldevQp(18, 1, 300, 2, 3), new NldevQp(1, 1, null, 1, 3),
             new NldevQp(19, null, 183, 2, 0), new NldevQp(20, 1, 183, 2, 3)],
            new NldevClient(t).GetQps(1));
        Assert.True(t.Finished);
    }

    [Fact]
    public void counter_dump_reads_bound_qps_and_named_values()
    {
        var t = new ReplayTransport((QpDumpRequest, [Mlx5QpDumpReply, Done(1)]), (CounterDumpRequest2, [Mlx5CountersBefore, Done(2)]));
        var client = new NldevClient(t);
        client.GetQps(1);
        var c = Assert.Single(client.GetCounters(1));
        Assert.Equal(5u, c.Id);
        Assert.Equal(1u, c.Port);
        Assert.Equal(RdmaCounterMode.Manual, c.Mode);
        Assert.Equal([18u], c.Qpns);
        Assert.Equal([new("rx_write_requests", 7UL), new("rx_read_requests", 1UL)], c.Values);
        Assert.True(t.Finished);
    }

    [Fact]
    public void an_empty_counter_dump_is_only_done()
    {
        var t = new ReplayTransport((QpDumpRequest, [RxeQpDumpReply, Done(1)]), (CounterDumpRequest2, [Done(2)]));
        var client = new NldevClient(t);
        client.GetQps(1);
        Assert.Empty(client.GetCounters(1));
    }

    [Fact]
    public void counter_mode_is_read_per_port()
    {
        var t = new ReplayTransport(
            (QpDumpRequest, [Mlx5QpDumpReply, Done(1)]), (CounterDumpRequest2, [Done(2)]),
            (ModeRequest3, [AutoModeReply3, Ack(3, "30000000 1114 0500 03000000 00000000")]));
        var client = new NldevClient(t);
        client.GetQps(1);
        client.GetCounters(1);
        Assert.Equal(RdmaCounterMode.Auto, client.GetCounterMode(1, 1));
        Assert.True(t.Finished);
    }

    [Fact]
    public void bind_to_a_new_counter_then_to_that_counter()
    {
        var t = new ReplayTransport(
            (QpDumpRequest, [Mlx5QpDumpReply, Done(1)]), (CounterDumpRequest2, [Done(2)]), (ModeRequest3, [Mlx5ModeManualReply3, Ack(3, "30000000 1114 0500 03000000 00000000")]),
            (BindQp17NewRequest4, [BindQp17NewReply4, Ack(4, "38000000 1014 0500 04000000 00000000")]),
            (BindQp20ToCounter6Request5, [BindQp20ToCounter6Reply5, Ack(5, "40000000 1014 0500 05000000 00000000")]));
        var client = new NldevClient(t);
        client.GetQps(1);
        client.GetCounters(1);
        client.GetCounterMode(1, 1);
        Assert.Equal(6u, client.BindQp(1, 1, 17));
        Assert.Equal(6u, client.BindQp(1, 1, 20, 6));
        Assert.True(t.Finished);
    }

    [Fact]
    public void bind_on_a_driver_without_counters_fails_with_enomem_and_says_what()
    {
        var t = new ReplayTransport(
            (QpDumpRequest, [RxeQpDumpReply, Done(1)]), (CounterDumpRequest2, [Done(2)]), (ModeRequest3, [RxeModeNoneReply3, Ack(3, "30000000 1114 0500 03000000 00000000")]),
            (BindQp17NewRequest4, [BindQp17NoMemoryError4]));
        var client = new NldevClient(t);
        client.GetQps(1);
        client.GetCounters(1);
        Assert.Equal(RdmaCounterMode.None, client.GetCounterMode(1, 1));
        var e = Assert.Throws<RdmaNetlinkException>(() => client.BindQp(1, 1, 17));
        Assert.Equal(Errno.ENOMEM, e.Errno);
        Assert.Equal("rdma: cannot bind queue pair 17 of rdma device index 1 port 1 to a new counter: cannot allocate memory", e.Message);
    }

    [Fact]
    public void unbind_sends_counter_and_qp_and_accepts_the_stat_set_typed_reply()
    {
        var t = new ReplayTransport((UnbindRequest1, [UnbindReply1, Ack(1, "38000000 1214 0500 01000000 00000000")]));
        new NldevClient(t).UnbindQp(1, 1, 6, 17);
        Assert.True(t.Finished);
    }
}
