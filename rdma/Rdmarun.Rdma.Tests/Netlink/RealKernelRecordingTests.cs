using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>
/// Replays Fixtures/linux-6.1-rxe0-nldev.txt, recorded from a real 6.1 kernel with rxe0: the client must send the
/// same bytes and read the kernel's real replies to the same results and messages.
/// </summary>
public class RealKernelRecordingTests
{
    const int NetnsFd = 52;

    static ReplayTransport Load()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "linux-6.1-rxe0-nldev.txt"));
        var exchanges = new List<(string, string[])>();
        foreach (var line in lines)
        {
            if (line.StartsWith("S ")) exchanges.Add((line[2..], []));
            else if (line.StartsWith("R ")) exchanges[^1] = (exchanges[^1].Item1, [.. exchanges[^1].Item2, line[2..]]);
        }
        return new ReplayTransport([.. exchanges]);
    }

    [Fact]
    public void the_whole_recorded_session_replays()
    {
        var t = Load();
        var c = new NldevClient(t);

        var device = Assert.Single(c.GetDevices());
        Assert.Equal(new NldevDevice(0, "rxe0", 1, 0x183a7bfffe53b979, null, 1, "roce"), device);
        Assert.Equal("183a:7bff:fe53:b979", device.NodeGuidText);

        Assert.Equal([new NldevPort(0, "rxe0", 1, 4, 5, null, 3, "veth0")], c.GetPorts(0));
        Assert.Equal(new NldevCharDevice("uverbs0", 231, 192, 2), c.GetCharDevice("uverbs", 0));
        Assert.Equal(new NldevCharDevice("umad0", 231, 0, 5), c.GetCharDevice("umad", 0, 1));
        Assert.Equal(new NldevCharDevice("rdma_cm", 10, 124, 4), c.GetCharDevice("rdma_cm"));

        Assert.Equal(RdmaNetnsMode.Shared, c.GetNetnsMode());
        c.SetNetnsMode(RdmaNetnsMode.Exclusive);
        Assert.Equal(RdmaNetnsMode.Exclusive, c.GetNetnsMode());

        const string rxeRefusal = "rdma: cannot move device rxe0 (driver rxe) into the container's network namespace: operation not supported; the driver cannot disassociate user contexts — use shared netns mode (rdma system set netns shared)";
        var move = Assert.Throws<RdmaNetlinkException>(() => c.MoveDevice(0, "rxe0", "rxe", NetnsFd));
        Assert.Equal(Errno.EOPNOTSUPP, move.Errno);
        Assert.Equal(rxeRefusal, move.Message);

        var busy = Assert.Throws<RdmaNetlinkException>(() => c.SetNetnsMode(RdmaNetnsMode.Shared));
        Assert.Equal("rdma: cannot set the rdma netns mode to shared: device or resource busy; other network namespaces exist — set it at boot (options ib_core netns_mode=1)", busy.Message);

        Assert.Equal(rxeRefusal, Assert.Throws<RdmaNetlinkException>(() => c.MoveDevice(0, "rxe0", "rxe", NetnsFd)).Message);

        var notNetns = Assert.Throws<RdmaNetlinkException>(() => c.MoveDevice(0, "rxe0", "rxe", 0));
        Assert.Equal(Errno.EINVAL, notNetns.Errno);
        Assert.Equal("rdma: cannot move device rxe0 (driver rxe) into the container's network namespace: invalid argument; the device index is unknown in this network namespace or the fd is not a network namespace", notNetns.Message);

        Assert.Equal(rxeRefusal, Assert.Throws<RdmaNetlinkException>(() => RdmaDeviceMover.Move(c, "rxe0", NetnsFd)).Message);

        var unknown = Assert.Throws<RdmaNetlinkException>(() => c.MoveDevice(99, "nosuch", "x", NetnsFd));
        Assert.Equal(Errno.EINVAL, unknown.Errno);

        Assert.True(t.Finished);
    }
}
