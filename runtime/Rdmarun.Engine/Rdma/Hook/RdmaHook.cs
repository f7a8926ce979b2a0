using Rdmarun.Engine.Init;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using Rdmarun.Rdma;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Engine.Rdma.Hook;

/// <summary>
/// `rdmarun rdma-hook PHASE`: rdmarun's RDMA isolation for containers run by runc or crun, as an OCI hook
/// (state JSON on stdin). The grant is <see cref="RdmaHookGrant"/>: the devices whose nodes config.json lists.
///   createRuntime   (runtime namespace): exclusive netns mode only, moves the devices into the container's
///                   netns, checked from inside; recorded first so poststop finds them even after a crash.
///   createContainer (container mount namespace, before pivot_root): hides every other device from
///                   /sys/class/infiniband{,_verbs,_mad} (shared mode shows every device in every netns).
///                   With org.rdmarun.rdma.ipoib=true (any netns mode) it then makes one IPoIB child per
///                   allowed P_Key on each granted InfiniBand port in the container's netns (RdmaHookIpoib).
///   poststop        deletes IPoIB children from a netns the spec named by path; waits until the moved devices
///                   are back in the host netns (moves them out of a netns the spec named by path, which
///                   outlives the container).
/// Under rdmarun itself (its grant annotation is in the state) every phase does nothing: rdmarun runs the same
/// steps in-process, so one config.json serves all three runtimes.
/// </summary>
public static class RdmaHook
{
    public static readonly IReadOnlyList<string> Phases = ["createRuntime", "createContainer", "poststop"];

    /// <summary>Where createRuntime records the moved devices for poststop (one file per container id).</summary>
    public static string RecordDir { get; set; } = "/run/rdmarun/rdma-hook";

    /// <param name="sysRoot">Where sysfs is read: "/" in production, a fixture tree in tests.</param>
    /// <param name="policyPath">The RDMA policy (global --rdma-policy): what P_Keys IPoIB children may have.</param>
    public static void Run(string phase, ReadOnlySpan<byte> stateJson, string sysRoot = "/", string policyPath = "/etc/rdmarun/rdma.json")
    {
        if (!Phases.Contains(phase)) throw new RuntimeError($"rdma hook: unknown phase {phase} (use {string.Join(", ", Phases)})");
        var state = SpecJson.ParseState(stateJson, "the state on stdin");
        if (RdmaHookGrant.DoneByRdmarun(state.Annotations)) return;
        if (string.IsNullOrEmpty(state.Bundle)) throw new RuntimeError("rdma hook: the state on stdin has no bundle");
        if (phase == "poststop")
        {
            RdmaHookIpoib.Remove(RecordPath(state.ID) + ".ipoib");
            ReturnMoved(state.ID);
            return;
        }

        var spec = SpecJson.LoadSpec(state.Bundle);
        var inventory = new SysfsRdmaDiscovery(sysRoot).Discover();
        var grant = RdmaHookGrant.From(spec, inventory);
        if (phase == "createRuntime")
        {
            var move = MoveIn(state, spec, grant);
            // A failed hook is not undone by the runtime: a failed IPoIB step hands the devices back itself while
            // the container's netns still exists.
            try { RdmaHookIpoib.Create(state, spec, grant, inventory, RecordPath(state.ID) + ".ipoib", policyPath, sysRoot); }
            catch (RuntimeError)
            {
                try { move?.Release(); File.Delete(RecordPath(state.ID)); }
                catch (Exception) { /* the first failure says more; poststop retries from the record */ }
                throw;
            }
            move?.Keep();
        }
        else FilterSysfs(state, spec, grant, Path.Combine(sysRoot, "sys"));
    }

    /// <summary>The move, not yet kept (its netns fd open): the caller keeps or releases it.</summary>
    static RdmaNetnsMove? MoveIn(State state, Spec spec, RdmaHookGrant grant)
    {
        if (grant.Devices.Count == 0) return null;
        if (state.Pid <= 0) throw new RuntimeError($"rdma hook: container {state.ID}: the state on stdin has no pid");
        var record = RecordPath(state.ID);
        var recorded = false;
        RdmaNetnsMove? move;
        try
        {
            move = RdmaNetnsMove.IntoContainer(grant.Devices, spec, state.Pid, beforeMove: devices =>
            {
                Directory.CreateDirectory(RecordDir);
                File.WriteAllText(record, string.Join(",", devices) + "\n" + NetnsPath(spec) + "\n");
                recorded = true;
            });
        }
        catch
        {
            if (recorded) File.Delete(record); // IntoContainer moved everything back before it threw
            throw;
        }
        return move; // null: shared mode or the host's netns, nothing moved, nothing recorded
    }

    /// <summary>
    /// runc and crun run createContainer hooks in the container's mount namespace with the host's / still the
    /// root, so the container's own sysfs is mounted at &lt;rootfs&gt;/sys and our mounts land in the container
    /// only. No sysfs there although the spec mounts one: the hook runs elsewhere (listed under createRuntime or
    /// prestart), where mounting would cover the host's view instead. Refuse rather than guess.
    /// </summary>
    static void FilterSysfs(State state, Spec spec, RdmaHookGrant grant, string hostSys)
    {
        var root = spec.Root?.Path ?? throw new RuntimeError("rdma hook: config.json has no root.path");
        var rootfs = Path.IsPathRooted(root) ? root : Path.Combine(state.Bundle, root);
        var sys = Path.Combine(rootfs, "sys");
        if (!IsSysfs(sys))
        {
            if ((spec.Mounts ?? []).Any(m => m.Destination.TrimEnd('/') == "/sys"))
                throw new RuntimeError($"rdma hook: no sysfs mounted at {sys} here: list `rdma-hook createContainer` under hooks.createContainer (it runs where the container's mounts are), not createRuntime or prestart");
            return; // the container gets no sysfs: nothing to hide
        }
        RdmaSysfsFilter.Apply(rootfs, grant.SysfsVisible, hostSys);
    }

    const long SysfsMagic = 0x62656572;

    static bool IsSysfs(string dir)
    {
        int fd = Libc.open(dir, LibcConst.O_RDONLY | LibcConst.O_DIRECTORY | LibcConst.O_CLOEXEC, 0);
        if (fd < 0) return false;
        try { return SafeOpen.FsType(fd, dir) == SysfsMagic; }
        finally { Libc.close(fd); }
    }

    static void ReturnMoved(string id)
    {
        var record = RecordPath(id);
        string[] lines;
        try { lines = File.ReadAllLines(record); }
        catch (FileNotFoundException) { return; } // nothing was moved
        catch (DirectoryNotFoundException) { return; }
        var devices = lines[0].Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        var netnsPath = lines.Length > 1 && lines[1].Length > 0 ? lines[1] : null;
        RdmaNetnsMove.Return(devices, netnsPath);
        File.Delete(record);
    }

    static string? NetnsPath(Spec spec)
        => spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "network")?.Path is { Length: > 0 } p ? p : null;

    static string RecordPath(string id)
    {
        if (id.Length == 0 || id.Contains('/') || id is "." or "..") throw new RuntimeError($"rdma hook: invalid container id '{id}'");
        return Path.Combine(RecordDir, id);
    }
}
