namespace Rdmarun.Engine.Launch;

/// <summary>Spec namespace names ↔ clone flags ↔ /proc/pid/ns entry names.</summary>
public static class Namespaces
{
    public const ulong CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
        CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
        CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    public static readonly IReadOnlyList<string> SpecTypes =
        ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];

    public static ulong Flag(string specType) => specType switch
    {
        "pid" => CLONE_NEWPID,
        "network" => CLONE_NEWNET,
        "mount" => CLONE_NEWNS,
        "ipc" => CLONE_NEWIPC,
        "uts" => CLONE_NEWUTS,
        "user" => CLONE_NEWUSER,
        "cgroup" => CLONE_NEWCGROUP,
        "time" => CLONE_NEWTIME,
        _ => throw new RuntimeError($"linux.namespaces: unknown namespace type {specType}"),
    };

    /// <summary>The name under /proc/pid/ns/ (and in the nsexec bootstrap).</summary>
    public static string ProcName(string specType) => specType switch
    {
        "network" => "net",
        "mount" => "mnt",
        _ => specType,
    };
}
