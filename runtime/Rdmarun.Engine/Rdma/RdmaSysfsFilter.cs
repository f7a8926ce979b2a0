using Rdmarun.Engine.Init;
using Rdmarun.Engine.Native;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// Stage 2, after the spec's mounts: hides the RDMA devices a container was not granted from its sysfs. In shared
/// netns mode every device shows in every netns, and libibverbs enumerates /sys/class/infiniband_verbs and reads
/// /sys/class/infiniband/&lt;dev&gt;; a read-only tmpfs over each class directory holding only the granted
/// entries makes ibv_devices list exactly the grant. The entries are symlinks with the host's targets (into
/// /sys/devices/..., reached through the container's own sysfs mount); plain files (abi_version) are copied.
/// </summary>
public static class RdmaSysfsFilter
{
    public static readonly IReadOnlyList<string> Classes = ["infiniband", "infiniband_verbs", "infiniband_mad"];

    /// <summary>One entry to recreate: a symlink (<see cref="LinkTarget"/>) or a copied file (<see cref="Content"/>).</summary>
    public sealed record Entry(string Name, string? LinkTarget, byte[]? Content);

    /// <param name="rootfs">The container's rootfs on the host (before pivot_root).</param>
    /// <param name="visible">Names to keep in any of the class directories: device names (rxe0) and node names
    /// (uverbs0, umad0, issm0). Empty hides everything.</param>
    /// <param name="hostSys">Where the targets are read: the runtime's own /sys (still reachable before
    /// pivot_root, and tagged with the host netns, so a device being moved into the container is still listed).</param>
    public static void Apply(string rootfs, IReadOnlyList<string> visible, string hostSys = "/sys")
    {
        foreach (var cls in Classes)
        {
            var inContainer = SecurePath.Join(rootfs, "/sys/class/" + cls);
            // No sysfs at /sys, or no such class on this kernel: nothing is shown, nothing to hide.
            if (!Directory.Exists(inContainer)) continue;
            var entries = Plan(Path.Combine(hostSys, "class", cls), inContainer, visible);
            Mounter.Mount("tmpfs", inContainer, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k");
            Populate(inContainer, entries);
            Mounter.Mount(null, inContainer, null, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        }
    }

    /// <summary>
    /// What to recreate in one class directory, read before the tmpfs covers the container's view: the visible
    /// symlinks (host target first, the container's own when the host lacks the entry) and every plain file.
    /// </summary>
    public static List<Entry> Plan(string hostDir, string containerDir, IReadOnlyList<string> visible)
    {
        var list = new List<Entry>();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dir in new[] { hostDir, containerDir })
            if (Directory.Exists(dir))
                foreach (var e in Directory.EnumerateFileSystemEntries(dir)) names.Add(Path.GetFileName(e));

        foreach (var name in names)
        {
            var host = Path.Combine(hostDir, name);
            var mine = Path.Combine(containerDir, name);
            var target = new FileInfo(host).LinkTarget ?? new FileInfo(mine).LinkTarget;
            if (target is not null)
            {
                if (visible.Contains(name, StringComparer.Ordinal)) list.Add(new Entry(name, target, null));
            }
            else if (File.Exists(mine) || File.Exists(host))
            {
                // abi_version: libibverbs refuses to work without it; the value is the same for every device.
                try { list.Add(new Entry(name, null, ReadAttribute(File.Exists(mine) ? mine : host))); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        return list;
    }

    public static void Populate(string dir, IEnumerable<Entry> entries)
    {
        foreach (var e in entries)
        {
            var at = Path.Combine(dir, e.Name);
            if (e.LinkTarget is { } target) SyscallException.Check(Libc.symlink(target, at), $"symlink {at} -> {target}");
            else File.WriteAllBytes(at, e.Content ?? []);
        }
    }

    /// <summary>sysfs attributes claim a size of 4096 and return less: read to EOF instead of trusting the size.</summary>
    static byte[] ReadAttribute(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        var buffer = new byte[4096];
        using var ms = new MemoryStream();
        int n;
        while ((n = fs.Read(buffer, 0, buffer.Length)) > 0) ms.Write(buffer, 0, n);
        return ms.ToArray();
    }
}
