namespace Rdmarun.Engine.Init;

/// <summary>Whether the init runs in a user namespace other than the host's, created or joined.</summary>
public static class UserNamespaceCheck
{
    /// <summary>
    /// The initial user namespace maps all 2^32-1 ids onto themselves; any other map means a user namespace,
    /// whether this container created it, joined one by path (a pod's), or rdmarun itself runs in one.
    /// There mknod of a device fails with EPERM, so device nodes must be bound from the host (runc's rule).
    /// </summary>
    public static bool InUserNamespace() => !IsInitialMap(File.ReadAllText("/proc/self/uid_map"));

    public static bool IsInitialMap(string uidMap)
    {
        var f = uidMap.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return f is ["0", "0", "4294967295"];
    }
}
