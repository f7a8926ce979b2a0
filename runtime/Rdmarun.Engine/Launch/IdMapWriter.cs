using System.Text;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Launch;

/// <summary>Writes a new user namespace's uid_map/gid_map from the parent user namespace.</summary>
public static class IdMapWriter
{
    public static void Write(int pid, IReadOnlyList<LinuxIDMapping>? uids, IReadOnlyList<LinuxIDMapping>? gids)
    {
        if (uids is null || uids.Count == 0 || gids is null || gids.Count == 0)
            throw new RuntimeError("linux.uidMappings and linux.gidMappings are required with a new user namespace");
        // An unprivileged writer may only map its own ids and only after denying setgroups
        // (user_namespaces(7)); as root we keep setgroups so the container can use additionalGids.
        if (Libc.geteuid() != 0) WriteFile(pid, "setgroups", "deny");
        WriteFile(pid, "uid_map", Format(uids));
        WriteFile(pid, "gid_map", Format(gids));
    }

    private static string Format(IReadOnlyList<LinuxIDMapping> maps)
    {
        var sb = new StringBuilder();
        foreach (var m in maps) sb.Append(m.ContainerID).Append(' ').Append(m.HostID).Append(' ').Append(m.Size).Append('\n');
        return sb.ToString();
    }

    private static void WriteFile(int pid, string name, string content)
    {
        var path = $"/proc/{pid}/{name}";
        try { File.WriteAllText(path, content); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeError($"write {path} ({content.Trim().Replace('\n', ',')}): {e.Message}");
        }
    }
}
