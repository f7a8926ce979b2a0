using System.Diagnostics;
using Rdmarun.Cgroups.Systemd;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>
/// The driver's D-Bus calls against a real dbus-daemon (a private one, no systemd on it): the call must
/// reach the bus and come back as an error. It once hung instead: the message's buffer was recycled
/// before it was sent, so only Hello went out.
/// </summary>
public class SystemdBusRealDaemonTests
{
    [Fact]
    public void A_call_reaches_the_bus_and_its_error_reply_comes_back()
    {
        var dir = Directory.CreateTempSubdirectory("rdmarun-bus-");
        var socket = Path.Combine(dir.FullName, "bus");
        using var daemon = Process.Start(new ProcessStartInfo("dbus-daemon", ["--session", "--nofork", $"--address=unix:path={socket}"])
            { RedirectStandardError = true })!;
        var old = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        try
        {
            for (int i = 0; i < 100 && !File.Exists(socket); i++) Thread.Sleep(50);
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", $"unix:path={socket}");
            var call = Task.Run(() => SystemdBus.UnitLoaded("x.scope"));
            Assert.True(Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(20))).GetAwaiter().GetResult() == call,
                "the D-Bus call did not return within 20 s");
            var e = Assert.IsType<CgroupException>(call.Exception?.InnerException);
            // No systemd on this bus: the daemon itself answers (activation of org.freedesktop.systemd1 fails).
            Assert.Contains("get unit x.scope: org.freedesktop.DBus.Error.", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", old);
            daemon.Kill();
            daemon.WaitForExit();
            dir.Delete(recursive: true);
        }
    }
}
