using Rdmarun.Cgroups.Systemd;
using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>
/// The driver's D-Bus calls against a real dbus-daemon (a private one, no systemd and no activatable
/// services on it): the daemon checks each message against its signature and drops the connection on a
/// malformed one, so an error reply from it ("no such service") means the message was well-formed.
/// Once a call hung (its buffer was recycled before it was sent); once StartTransientUnit was malformed.
/// </summary>
public sealed class SystemdBusRealDaemonTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rdmarun-bus-");
    private readonly System.Diagnostics.Process _daemon;
    private readonly string _address;

    public SystemdBusRealDaemonTests()
    {
        var socket = Path.Combine(_dir.FullName, "bus");
        // No <servicedir>: a call to org.freedesktop.systemd1 is answered by the daemon (ServiceUnknown), never activated.
        var config = Path.Combine(_dir.FullName, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/></policy>
            </busconfig>
            """);
        _daemon = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dbus-daemon", ["--nofork", $"--config-file={config}"]) { RedirectStandardError = true })!;
        for (int i = 0; i < 100 && !File.Exists(socket); i++) Thread.Sleep(50);
        Assert.True(File.Exists(socket), $"dbus-daemon did not create {socket}");
        _address = $"unix:path={socket}";
    }

    private CgroupException Fails(Action<string> call)
    {
        var task = Task.Run(() => call(_address));
        // A guard against the old hang, not a measurement: the daemon answers at once.
        Assert.True(Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))).GetAwaiter().GetResult() == task,
            "the D-Bus call did not return within 20 s");
        return Assert.IsType<CgroupException>(task.Exception?.InnerException);
    }

    [Fact]
    public void GetUnit_reaches_the_bus_and_its_error_reply_comes_back()
    {
        var e = Fails(a => SystemdBus.UnitLoaded("x.scope", a));
        Assert.Contains("get unit x.scope: org.freedesktop.DBus.Error.ServiceUnknown", e.Message);
    }

    [Fact]
    public void StartTransientUnit_for_a_container_with_limits_is_accepted_by_the_daemon()
    {
        var res = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20 },
            Pids = new LinuxPids { Limit = 50 },
            CPU = new LinuxCPU { Shares = 1024, Quota = 50000, Period = 100000 },
        };
        var req = TransientUnitRequest.For(new SystemdCgroupPath("rdmarun-t.slice", "rdmarun-c1.scope"), 4242, res, unified: true, "c1");
        var e = Fails(a => SystemdBus.StartTransientUnit(req, a));
        Assert.Contains("start transient unit rdmarun-c1.scope: org.freedesktop.DBus.Error.ServiceUnknown", e.Message);
    }

    [Fact]
    public void SetUnitProperties_and_StopUnit_are_accepted_by_the_daemon()
    {
        var props = TransientUnitRequest.ResourceProperties(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 27 } }, unified: true).ToList();
        Assert.Contains("org.freedesktop.DBus.Error.ServiceUnknown", Fails(a => SystemdBus.SetUnitProperties("x.scope", props, a)).Message);
        Assert.Contains("org.freedesktop.DBus.Error.ServiceUnknown", Fails(a => SystemdBus.StopUnit("x.scope", a)).Message);
    }

    public void Dispose()
    {
        _daemon.Kill();
        _daemon.WaitForExit();
        _daemon.Dispose();
        _dir.Delete(recursive: true);
    }
}
