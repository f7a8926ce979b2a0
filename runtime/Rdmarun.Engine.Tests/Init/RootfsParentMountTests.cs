using Rdmarun.Engine.Init;

namespace Rdmarun.Engine.Tests.Init;

/// <summary>Finding the mount that holds the rootfs (made private so pivot_root accepts it).</summary>
public sealed class RootfsParentMountTests
{
    [Fact]
    public void reads_mnt_id_from_fdinfo()
    {
        Assert.Equal(1207, RootfsParentMount.MountId("pos:\t0\nflags:\t012100000\nmnt_id:\t1207\nino:\t42\n"));
        Assert.Null(RootfsParentMount.MountId("pos:\t0\nflags:\t012100000\n"));
    }

    [Fact]
    public void finds_the_mount_point_by_id_and_decodes_octal_escapes()
    {
        string[] mountinfo =
        [
            "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "240 24 0:52 / /var/lib/my\\040bundles rw,relatime shared:90 - tmpfs tmpfs rw",
            "2400 240 0:53 / /var/lib/my\\040bundles/x\\134y rw - tmpfs tmpfs rw",
        ];
        Assert.Equal("/", RootfsParentMount.MountPoint(24, mountinfo));
        Assert.Equal("/var/lib/my bundles", RootfsParentMount.MountPoint(240, mountinfo));
        Assert.Equal("/var/lib/my bundles/x\\y", RootfsParentMount.MountPoint(2400, mountinfo));
        Assert.Null(RootfsParentMount.MountPoint(7, mountinfo));
    }
}
