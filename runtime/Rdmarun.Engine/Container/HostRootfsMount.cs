namespace Rdmarun.Engine.Container;

/// <summary>
/// The rootfs mount rdmarun placed in the host's mount namespace for a container that has no
/// mount namespace of its own (every other mount of that container lies below it). Saved in
/// creating.json before the mount is attached, so delete (--force) and a failed create remove it.
/// </summary>
public sealed class HostRootfsMount
{
    /// <summary>Where it is attached: the container's rootfs path on the host.</summary>
    public string Path { get; set; } = "";
    /// <summary>statx stx_mnt_id of the mount: it is only unmounted while this id is on top of Path.</summary>
    public ulong MountId { get; set; }
    /// <summary>Whether MountId is the never-reused 64-bit id (STATX_MNT_ID_UNIQUE, Linux 6.8+) or the classic one.</summary>
    public bool UniqueId { get; set; }
}
