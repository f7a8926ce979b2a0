using Rdmarun.Rdma;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.RdmaHook;

/// <summary>
/// `rdmarun-rdma-hook createRuntime|poststop`, state JSON on stdin. createRuntime: in exclusive netns mode, moves
/// the devices of org.rdmarun.rdma.devices into /proc/&lt;pid&gt;/ns/net and checks they arrived (on failure
/// every device goes back). poststop: waits until the kernel has returned them to the host netns. Shared mode:
/// nothing to move. Exit 0 on success, 1 with one message on stderr otherwise.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var phase = args.Length > 0 ? args[^1] : throw new HookException("usage: rdmarun-rdma-hook createRuntime|poststop (state on stdin)");
            var state = HookState.Parse(Console.In.ReadToEnd());
            var devices = state.Devices;
            if (devices.Count == 0) return 0;
            switch (phase)
            {
                case "createRuntime" or "prestart":
                    if (state.Pid <= 0) throw new HookException($"container {state.Id}: the state has no pid");
                    Moves.IntoContainer(devices, state.Pid);
                    return 0;
                case "poststop":
                    Moves.WaitReturned(devices, TimeSpan.FromSeconds(10));
                    return 0;
                default:
                    throw new HookException($"unknown hook phase {phase}: use createRuntime or poststop");
            }
        }
        catch (Exception e) when (e is HookException or RdmaNetlinkException or System.Text.Json.JsonException or IOException)
        {
            Console.Error.WriteLine($"rdmarun-rdma-hook: {e.Message}");
            return 1;
        }
    }
}
