using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>
/// Our requests are byte-identical to iproute2 6.1.0's `rdma` tool. The request bytes below were captured from
/// that binary with an LD_PRELOAD shim that logged sendto() (its sequence numbers are time(NULL), so the client
/// starts from the same value).
/// </summary>
public class Iproute2CompatTests
{
    const uint Seq = 0x6b12eddf;
    const string Pid0 = "00000000";

    static string Done(string seq) => $"14000000 0300 0200 {seq} e8030000 00000000";

    [Fact]
    public void rdma_dev_show_dump_request()
    {
        var captured = "1000000001140503dfed126b00000000";
        var t = new ReplayTransport((captured, [Done("dfed126b")]));
        Assert.Empty(new NldevClient(t, Seq).GetDevices());
    }

    [Fact]
    public void rdma_system_show_request()
    {
        var captured = "1000000006140500dfed126b00000000";
        var reply = "20000000 0614 0000 dfed126b e8030000 0500 4200 01 000000 0500 5d00 01 000000";
        var ack = "24000000 0200 0001 dfed126b e8030000 00000000 10000000 0614 0500 dfed126b " + Pid0;
        var t = new ReplayTransport((captured, [reply, ack]));
        Assert.Equal(RdmaNetnsMode.Shared, new NldevClient(t, Seq).GetNetnsMode());
    }

    [Theory]
    [InlineData(RdmaNetnsMode.Exclusive, "1800000007140500dfed126b000000000500420000000000")]
    [InlineData(RdmaNetnsMode.Shared, "1800000007140500dfed126b000000000500420001000000")]
    public void rdma_system_set_netns_request(RdmaNetnsMode mode, string captured)
    {
        var ack = "24000000 0200 0001 dfed126b e8030000 00000000 18000000 0714 0500 dfed126b 00000000";
        var t = new ReplayTransport((captured, [ack]));
        new NldevClient(t, Seq).SetNetnsMode(mode);
        Assert.True(t.Finished);
    }

    [Fact]
    public void rdma_dev_set_netns_request()
    {
        // `rdma dev set rxe0 netns NAME` after its dump mapped rxe0 to index 1; the netns file was fd 4.
        var captured = "2000000002140500e3ed126b0000000008000100010000000800440004000000";
        var ack = "24000000 0200 0001 e3ed126b e8030000 00000000 20000000 0214 0500 e3ed126b 00000000";
        var t = new ReplayTransport((captured, [ack]));
        new NldevClient(t, 0x6b12ede3).MoveDevice(1, "rxe0", "rxe", 4);
        Assert.True(t.Finished);
    }
}
