namespace Rdmarun.OciSpec.Validation;

/// <summary>
/// /proc/sys is only partly namespaced: a sysctl may be set only when the container has its own copy,
/// otherwise it would change the host. Mirrors runc's validator.
/// </summary>
static class SysctlRules
{
    static readonly HashSet<string> IpcSysctls = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    public static void Check(Linux linux, ProblemList p)
    {
        if (linux.Sysctl is not { } sysctls) return;
        var ns = linux.Namespaces ?? [];
        bool Has(string t) => ns.Any(n => n.Type == t);

        foreach (var key in sysctls.Keys)
        {
            string at = JPath.Member("$.linux.sysctl", key);
            string s = ToDots(key);
            if (IpcSysctls.Contains(s) || s.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!Has(LinuxNamespaceType.Ipc))
                    p.Error(at, $"sysctl {JPath.Q(s)} is not allowed in the host's ipc namespace");
                continue;
            }
            if (s.StartsWith("net.", StringComparison.Ordinal))
            {
                // A joined netns (path set) is assumed not to be the host's; the engine can check inode identity.
                if (!Has(LinuxNamespaceType.Network))
                    p.Error(at, $"sysctl {JPath.Q(s)} is not allowed in the host's network namespace");
                continue;
            }
            if (Has(LinuxNamespaceType.Uts))
            {
                if (s == "kernel.domainname") continue;
                if (s == "kernel.hostname")
                {
                    p.Error(at, "sysctl \"kernel.hostname\" is not allowed as it conflicts with the \"hostname\" field");
                    continue;
                }
            }
            if (s.StartsWith("user.", StringComparison.Ordinal))
            {
                if (!Has(LinuxNamespaceType.User))
                    p.Error(at, $"sysctl {JPath.Q(s)} is not allowed without a user namespace");
                continue;
            }
            p.Error(at, $"sysctl {JPath.Q(s)} is not in a separate kernel namespace");
        }
    }

    /// <summary>
    /// sysctl(8) also accepts '/' as separator; when the first separator is '/', dots and slashes swap
    /// ("net/ipv4/conf/eno2.100/rp_filter" is "net.ipv4.conf.eno2/100.rp_filter").
    /// </summary>
    internal static string ToDots(string key)
    {
        int first = key.IndexOfAny(['.', '/']);
        if (first < 0 || key[first] == '.') return key;
        return string.Create(key.Length, key, (span, k) =>
        {
            for (int i = 0; i < k.Length; i++)
                span[i] = k[i] switch { '.' => '/', '/' => '.', var c => c };
        });
    }
}
