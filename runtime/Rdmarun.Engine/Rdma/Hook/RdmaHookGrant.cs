using Rdmarun.OciSpec;
using Rdmarun.Rdma;

namespace Rdmarun.Engine.Rdma.Hook;

/// <summary>
/// What the RDMA hook enforces for a container run by another runtime (runc, crun): the RDMA devices whose
/// character nodes config.json gives it (linux.devices, matched by major:minor against the host's sysfs, so a
/// node renamed in the container still counts). The spec is the one source of truth because the device
/// cgroup rules live there too: a device the container can open is a device it sees, and nothing else.
/// </summary>
public sealed record RdmaHookGrant(IReadOnlyList<string> Devices, IReadOnlyList<string> SysfsVisible)
{
    /// <summary>rdmarun wrote its own grant: it filters and moves in-process, the hook has nothing to add.</summary>
    public static bool DoneByRdmarun(IReadOnlyDictionary<string, string>? annotations)
        => annotations?.ContainsKey(RdmaSpecGrant.GrantedAnnotation) == true;

    public static RdmaHookGrant From(Spec spec, RdmaInventory inventory)
    {
        var devices = new SortedSet<string>(StringComparer.Ordinal);
        var visible = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in spec.Linux?.Devices ?? [])
        {
            if (d.Type != "c") continue;
            var (major, minor) = (d.Major, d.Minor);
            foreach (var dev in inventory.Devices)
            {
                var node = dev.CharDevices.FirstOrDefault(c => c.Major == major && c.Minor == minor);
                if (node is null) continue;
                // umad/issm show their own class entry but do not make the device a verbs device of the container.
                if (node.Kind == RdmaCharDeviceKind.Uverbs) devices.Add(dev.Name);
                visible.Add(node.Name);
            }
        }
        foreach (var name in devices) visible.Add(name);
        return new RdmaHookGrant([.. devices], [.. visible]);
    }
}
