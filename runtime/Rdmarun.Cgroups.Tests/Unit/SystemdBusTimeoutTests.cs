using System.Net.Sockets;
using Rdmarun.Cgroups.Systemd;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>
/// A bus that accepts the connection and never answers (a wedged dbus-daemon or systemd): each call gives up
/// after its timeout with an error naming the call and the bus, instead of hanging the verb (and containerd or
/// slurmstepd waiting on it). A kernel-lab CI boot once sat 10 minutes in the systemd suite with no output.
/// </summary>
public sealed class SystemdBusTimeoutTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rdmarun-mute-bus-");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly List<Socket> _accepted = [];
    private readonly string _address;

    public SystemdBusTimeoutTests()
    {
        var path = Path.Combine(_dir.FullName, "bus");
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(8);
        _address = $"unix:path={path}";
        // Accepts and keeps every connection open, reading nothing and writing nothing.
        _ = Task.Run(() =>
        {
            try { while (true) { var s = _listener.Accept(); lock (_accepted) _accepted.Add(s); } }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        });
    }

    private CgroupException TimesOut(Action call)
    {
        var task = Task.Run(call);
        Assert.True(Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))).GetAwaiter().GetResult() == task,
            "the call to a bus that never answers did not give up within 20 s (its timeout is 0.5 s)");
        return Assert.IsType<CgroupException>(task.Exception?.InnerException);
    }

    [Fact]
    public void StartTransientUnit_to_a_bus_that_never_answers_fails_naming_the_unit_and_the_bus()
    {
        var req = TransientUnitRequest.For(new SystemdCgroupPath("rdmarun-t.slice", "rdmarun-c1.scope"), 4242, null, unified: true, "c1");
        var e = TimesOut(() => SystemdBus.StartTransientUnit(req, _address, TimeSpan.FromMilliseconds(500)));
        Assert.Equal($"cgroup: systemd: start transient unit rdmarun-c1.scope: no answer from the system bus at {_address} within 0.5 s", e.Message);
    }

    [Fact]
    public void StopUnit_and_GetUnit_to_a_bus_that_never_answers_fail_too()
    {
        Assert.Contains("stop unit x.scope: no answer", TimesOut(() => SystemdBus.StopUnit("x.scope", _address, TimeSpan.FromMilliseconds(500))).Message);
        Assert.Contains("get unit x.scope: no answer", TimesOut(() => SystemdBus.UnitLoaded("x.scope", _address, TimeSpan.FromMilliseconds(500))).Message);
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted) foreach (var s in _accepted) s.Dispose();
        _dir.Delete(recursive: true);
    }
}
