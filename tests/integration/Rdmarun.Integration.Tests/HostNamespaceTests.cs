using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// A container with no namespaces at all (runtime-tools linux_ns_itype): it shares every namespace
/// with the caller, its mounts go into the caller's mount table below one recorded rootfs mount,
/// and none of them may outlive the container or reach another mount namespace.
/// </summary>
public class HostNamespaceTests
{
    private static readonly string[] NsNames = ["mnt", "pid", "net", "ipc", "uts", "cgroup", "user", "time"];

    /// <summary>No namespaces, no hostname, no masked or read-only paths (they need namespaces).</summary>
    private static Bundle NoNamespaces(params string[] args)
    {
        var b = new Bundle(args);
        b.Linux["namespaces"] = new JsonArray();
        b.Linux.Remove("maskedPaths");
        b.Linux.Remove("readonlyPaths");
        b.Config.Remove("hostname");
        b.Save();
        return b;
    }

    /// <summary>Host mount-table lines for mounts at or below the bundle's rootfs.</summary>
    private static List<string> RootfsMounts(Bundle b, string mountinfo = "/proc/self/mountinfo") =>
        File.ReadLines(mountinfo).Where(l => l.Split(' ')[4] is var p && (p == b.Rootfs || p.StartsWith(b.Rootfs + "/"))).ToList();

    /// <summary>The optional (propagation) fields of the mount at <paramref name="point"/>.</summary>
    private static string Propagation(string point, string mountinfo = "/proc/self/mountinfo")
    {
        var line = File.ReadLines(mountinfo).Last(l => l.Split(' ')[4] == point);
        return string.Join(' ', line.Split(' ').Skip(6).TakeWhile(f => f != "-"));
    }

    private static void Sh(string script)
    {
        using var p = Process.Start("/bin/sh", ["-c", script])!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{script}: exit {p.ExitCode}");
    }

    [Fact]
    public void A_container_without_namespaces_shares_every_namespace_with_the_caller_and_sees_its_rootfs()
    {
        using var b = NoNamespaces("sh", "-c",
            "for n in " + string.Join(' ', NsNames) + "; do readlink /proc/self/ns/$n; done; test -e /bin/busybox && ! test -e /usr && echo rootfs");
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        var expected = NsNames.Select(n => new FileInfo($"/proc/self/ns/{n}").LinkTarget!).Append("rootfs");
        Assert.Equal(expected, r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Its_rootfs_mounts_are_in_the_host_table_while_it_lives_and_gone_after_delete()
    {
        using var b = NoNamespaces("sleep", "600");
        var id = b.NewId();
        string rootProp = Propagation("/");
        var c = b.Rt("create", id);
        Assert.True(c.ExitCode == 0, c.ToString());
        var live = RootfsMounts(b);
        Assert.Contains(live, l => l.Split(' ')[4] == b.Rootfs + "/proc");
        Assert.Equal(rootProp, Propagation("/")); // the host's / keeps its propagation
        Assert.Equal("", Propagation(b.Rootfs)); // the container's rootfs mount is private

        Assert.Equal(0, b.Rt("start", id).ExitCode);
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Empty(RootfsMounts(b));
        Assert.Empty(LeakCheck.Find(b, id));
        Assert.Equal(rootProp, Propagation("/"));
    }

    [Fact]
    public void A_stopped_container_is_deleted_without_force_and_its_mounts_are_gone()
    {
        using var b = NoNamespaces("true");
        var id = b.NewId();
        var r = b.Rt("run", "--detach", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!b.Rt("state", id).Stdout.Contains("\"stopped\"") && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.NotEmpty(RootfsMounts(b));
        var d = b.Rt("delete", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Empty(LeakCheck.Find(b, id));
    }

    /// <summary>
    /// The bundle made a shared mount with a peer in another mount namespace (as on a systemd host, where
    /// / is shared): the container's mounts must not appear in that peer, and the peer must not keep the
    /// rootfs mount after delete.
    /// </summary>
    [Fact]
    public void No_container_mount_propagates_to_another_namespace_under_a_shared_bundle_mount()
    {
        using var b = NoNamespaces("sleep", "600");
        Sh($"mount --bind '{b.Dir}' '{b.Dir}' && mount --make-shared '{b.Dir}'");
        Process? peer = null;
        try
        {
            peer = Process.Start("unshare", ["--mount", "--propagation", "unchanged", "sleep", "600"])!;
            var peerInfo = $"/proc/{peer.Id}/mountinfo";
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (new FileInfo($"/proc/{peer.Id}/ns/mnt").LinkTarget == new FileInfo("/proc/self/ns/mnt").LinkTarget && DateTime.UtcNow < deadline)
                Thread.Sleep(20);
            string bundleProp = Propagation(b.Dir);
            Assert.StartsWith("shared:", bundleProp);

            var id = b.NewId();
            var c = b.Rt("create", id);
            Assert.True(c.ExitCode == 0, c.ToString());
            Assert.Contains(RootfsMounts(b), l => l.Split(' ')[4] == b.Rootfs + "/dev");
            // At most the rootfs mount itself reaches the peer (attaching under a shared mount propagates);
            // nothing mounted below it does.
            Assert.DoesNotContain(RootfsMounts(b, peerInfo), l => l.Split(' ')[4] != b.Rootfs);
            Assert.Equal(bundleProp, Propagation(b.Dir));

            var d = b.Rt("delete", "--force", id);
            Assert.True(d.ExitCode == 0, d.ToString());
            Assert.Empty(RootfsMounts(b));
            Assert.Empty(RootfsMounts(b, peerInfo));
            Assert.Equal(bundleProp, Propagation(b.Dir));
        }
        finally
        {
            if (peer is not null) { peer.Kill(); peer.WaitForExit(); peer.Dispose(); }
            Sh($"umount -l '{b.Dir}'");
        }
    }

    [Fact]
    public void A_create_failing_after_its_mounts_leaves_no_mount()
    {
        using var b = NoNamespaces("true");
        // The prestart hook runs after the init made every mount; its failure fails create.
        b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "exit 3") }) };
        b.Save();
        var id = b.NewId();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("prestart", r.Stderr);
        Assert.Empty(RootfsMounts(b));
        Assert.Empty(LeakCheck.Find(b, id));
    }

    [Fact]
    public void A_create_failing_in_the_middle_of_its_mounts_leaves_no_mount()
    {
        using var b = NoNamespaces("true");
        b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/mnt/x", ["type"] = "bind", ["source"] = "/does/not/exist", ["options"] = new JsonArray("rbind") });
        b.Save();
        var id = b.NewId();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/does/not/exist", r.Stderr);
        Assert.Empty(RootfsMounts(b));
        Assert.Empty(LeakCheck.Find(b, id));
    }

    [Theory]
    [InlineData("maskedPaths", "$.linux.maskedPaths", "unable to restrict paths without a private mount namespace")]
    [InlineData("readonlyPaths", "$.linux.readonlyPaths", "unable to restrict paths without a private mount namespace")]
    [InlineData("hostname", "$.hostname", "unable to set hostname without a private uts namespace")]
    [InlineData("domainname", "$.domainname", "unable to set domainname without a private uts namespace")]
    public void What_needs_a_namespace_is_refused_without_it_and_leaves_nothing(string field, string path, string message)
    {
        using var b = NoNamespaces("true");
        if (field is "maskedPaths" or "readonlyPaths") b.Linux[field] = new JsonArray("/proc/kcore");
        else b.Config[field] = "c1";
        b.Save();
        var id = b.NewId();
        var r = b.Rt("create", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(path, r.Stderr);
        Assert.Contains(message, r.Stderr);
        Assert.Empty(RootfsMounts(b));
        Assert.Empty(LeakCheck.Find(b, id));
    }

    [Fact]
    public void Exec_runs_in_the_container_root_not_the_host_root()
    {
        using var b = NoNamespaces("sleep", "600");
        var id = b.NewId();
        Assert.Equal(0, b.Rt("run", "--detach", id).ExitCode);
        var e = b.Rt("exec", id, "sh", "-c", "test -e /bin/busybox && ! test -e /usr && echo in-rootfs");
        Assert.True(e.ExitCode == 0, e.ToString());
        Assert.Equal("in-rootfs", e.Stdout.Trim());
        Assert.Equal(0, b.Rt("delete", "--force", id).ExitCode);
        Assert.Empty(RootfsMounts(b));
    }

    [FaultTheory]
    [InlineData("create.after-host-rootfs")]
    [InlineData("create.after-launch")]
    [InlineData("create.after-hooks")]
    [InlineData("create.after-ready")]
    public void Create_killed_mid_way_is_undone_by_delete_force(string point)
    {
        using var b = NoNamespaces("sleep", "600");
        b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/true" }) };
        b.Save();
        var id = b.NewId("fh");
        var k = FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At(point), "create", id);
        Assert.True(k.ExitCode == 137, $"rdmarun did not die at fault point {point}: {k}");
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Empty(RootfsMounts(b));
        Assert.Empty(LeakCheck.Find(b, id));
    }
}
