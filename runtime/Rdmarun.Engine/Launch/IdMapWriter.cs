using System.Text;
using Rdmarun.Engine.Native;
using Rdmarun.Hooks;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Launch;

/// <summary>
/// Writes a new user namespace's uid_map/gid_map from the parent user namespace. Root writes
/// the files itself; an unprivileged user may write only a single mapping of its own id, and
/// anything else goes through the setuid helpers newuidmap/newgidmap, which check
/// /etc/subuid and /etc/subgid (as runc and podman do).
/// </summary>
public static class IdMapWriter
{
    public static void Write(int pid, IReadOnlyList<LinuxIDMapping>? uids, IReadOnlyList<LinuxIDMapping>? gids)
    {
        if (uids is null || uids.Count == 0 || gids is null || gids.Count == 0)
            throw new RuntimeError("linux.uidMappings and linux.gidMappings are required with a new user namespace");
        if (Libc.geteuid() == 0)
        {
            // As root we keep setgroups allowed so the container can use additionalGids.
            WriteFile(pid, "uid_map", Format(uids));
            WriteFile(pid, "gid_map", Format(gids));
            return;
        }
        WriteUnprivileged(pid, "uid_map", uids, (uint)Libc.geteuid(), "newuidmap");
        WriteUnprivileged(pid, "gid_map", gids, (uint)Libc.getegid(), "newgidmap");
    }

    private static void WriteUnprivileged(int pid, string file, IReadOnlyList<LinuxIDMapping> maps, uint ownId, string helper)
    {
        if (IsOwnIdOnly(maps, ownId))
        {
            // user_namespaces(7): an unprivileged gid_map write needs setgroups denied first.
            if (file == "gid_map") WriteFile(pid, "setgroups", "deny");
            WriteFile(pid, file, Format(maps));
            return;
        }
        var path = FindHelper(helper) ?? throw new RuntimeError(
            $"linux.{(file == "uid_map" ? "uidMappings" : "gidMappings")}: mapping more than your own id needs {helper} (package uidmap) and an entry in /etc/sub{(file == "uid_map" ? "uid" : "gid")}");
        var argv = new List<string> { helper, pid.ToString() };
        foreach (var m in maps) argv.AddRange([m.ContainerID.ToString(), m.HostID.ToString(), m.Size.ToString()]);
        var (r, w) = PosixSpawn.Pipe();
        int child;
        try { child = PosixSpawn.Spawn(path, [.. argv], ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], [(w, 1), (w, 2)]); }
        finally { PosixSpawn.Close(w); }
        string output;
        using (var s = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(r, true), FileAccess.Read))
        using (var reader = new StreamReader(s)) output = reader.ReadToEnd().Trim();
        PosixSpawn.WaitPid(child, out int status);
        if (WaitStatus.ToExitCode(status) != 0)
            throw new RuntimeError($"{helper} {string.Join(' ', argv.Skip(1))} failed ({WaitStatus.Describe(status)}): {output}");
    }

    private static bool IsOwnIdOnly(IReadOnlyList<LinuxIDMapping> maps, uint ownId) =>
        maps.Count == 1 && maps[0].Size == 1 && maps[0].HostID == ownId;

    private static string? FindHelper(string name)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin" })
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    private static string Format(IReadOnlyList<LinuxIDMapping> maps)
    {
        var sb = new StringBuilder();
        foreach (var m in maps) sb.Append(m.ContainerID).Append(' ').Append(m.HostID).Append(' ').Append(m.Size).Append('\n');
        return sb.ToString();
    }

    // Raw open/write: the kernel's errno (EPERM, EINVAL) is the useful part of the message.
    private static unsafe void WriteFile(int pid, string name, string content)
    {
        var path = $"/proc/{pid}/{name}";
        var what = $"write {path} ({content.Trim().Replace('\n', ',')})";
        int fd = SyscallException.Check(Libc.open(path, LibcConst.O_WRONLY | LibcConst.O_CLOEXEC, 0), what);
        try
        {
            var bytes = Encoding.ASCII.GetBytes(content);
            fixed (byte* p = bytes)
                SyscallException.Check((long)Libc.write(fd, p, bytes.Length), what);
        }
        finally { Libc.close(fd); }
    }
}
