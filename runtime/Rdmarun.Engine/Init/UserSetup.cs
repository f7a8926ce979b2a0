using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>
/// Switches to process.user keeping the capabilities the spec grants: bounding set dropped
/// first (needs CAP_SETPCAP), keep-caps across setresuid, then the final sets.
/// </summary>
public static unsafe class UserSetup
{
    public static void Apply(Process p, bool setgroupsAllowed)
    {
        var caps = CapabilitySets.FromSpec(p.Capabilities);
        CapabilitySets.ApplyBounding(caps);
        SyscallException.Check(Libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "set keep-caps");
        var user = p.User ?? new User();
        var groups = user.AdditionalGids ?? [];
        if (setgroupsAllowed)
        {
            var arr = groups.Select(g => (int)g).ToArray();
            fixed (int* a = arr)
                SyscallException.Check(Libc.setgroups(arr.Length, a), $"setgroups {string.Join(',', groups)}");
        }
        else if (groups.Count > 0)
            throw new RuntimeError("process.user.additionalGids: cannot set supplementary groups, setgroups is denied in this user namespace");
        SyscallException.Check(Libc.setresgid((int)user.GID, (int)user.GID, (int)user.GID), $"setresgid {user.GID}");
        SyscallException.Check(Libc.setresuid((int)user.UID, (int)user.UID, (int)user.UID), $"setresuid {user.UID}");
        CapabilitySets.Apply(caps);
        SyscallException.Check(Libc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "clear keep-caps");
        if (user.Umask is { } mask) Libc.umask((int)mask);
        else Libc.umask(0x12); // 0022, runc's default
    }

    /// <summary>"deny" in /proc/self/setgroups (rootless user namespaces) forbids setgroups(2).</summary>
    public static bool SetgroupsAllowed()
    {
        try { return File.ReadAllText("/proc/self/setgroups").Trim() != "deny"; }
        catch (IOException) { return true; }
    }
}
