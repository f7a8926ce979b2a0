using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>Regression tests for runc-class escapes, each failing on a runtime without the fix.</summary>
public class HardeningTests
{
    [DllImport("libc", SetLastError = true)] private static extern int open(string path, int flags);
    [DllImport("libc")] private static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern long pwrite(int fd, ref byte buf, nint count, long offset);

    [Fact]
    public void Cve_2019_5736_the_init_runs_from_a_sealed_copy_that_cannot_be_overwritten()
    {
        using var b = new Bundle("sleep", "1000");
        var id = b.NewId();
        Assert.Equal(0, b.Rt("create", id).ExitCode);
        int pid = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        Assert.StartsWith("/memfd:rdmarun", new FileInfo($"/proc/{pid}/exe").LinkTarget);
        // The attack: hold the init's executable (O_PATH) and reopen it for writing once the
        // runtime no longer runs it. On the host binary that succeeds; a sealed memfd says EPERM.
        int held = open($"/proc/{pid}/exe", 0x200000 /* O_PATH */ | 0x80000 /* O_CLOEXEC */);
        Assert.True(held >= 0, "open O_PATH of the init's exe");
        try
        {
            Assert.Equal(0, b.Rt("start", id).ExitCode);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (new FileInfo($"/proc/{pid}/exe").LinkTarget?.Contains("busybox") != true && DateTime.UtcNow < deadline) Thread.Sleep(10);
            // Rewrite the first byte with itself (0x7f, the ELF magic): harmless if it succeeds.
            int w = open($"/proc/self/fd/{held}", 1 /* O_WRONLY */);
            Assert.True(w >= 0 || Marshal.GetLastWin32Error() == 1, "unexpected open failure");
            if (w >= 0)
            {
                try
                {
                    byte magic = 0x7f;
                    long rc = pwrite(w, ref magic, 1, 0);
                    int errno = Marshal.GetLastWin32Error();
                    Assert.True(rc < 0, "the runtime's executable could be written after the init exec'ed");
                    Assert.Equal(1 /* EPERM: sealed */, errno);
                }
                finally { close(w); }
            }
        }
        finally { close(held); }
    }

    [Fact]
    public void Cve_2024_21626_no_runtime_fd_is_open_in_the_container_and_an_fd_cwd_fails()
    {
        using var b = new Bundle("sh", "-c", "ls -l /proc/self/fd");
        b.Save();
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        var fds = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("->"))
            .Select(l => int.Parse(l[..l.IndexOf(" ->")].Split(' ')[^1])).ToList();
        // 0, 1, 2 (and possibly the directory ls itself opened): nothing from the runtime.
        Assert.Equal([0, 1, 2], fds.Where(fd => fd < 3).ToList());
        Assert.True(fds.Count(fd => fd >= 3) <= 1, $"unexpected fds: {r.Stdout}");
        for (int fd = 5; fd < 12; fd++)
        {
            b.Process["cwd"] = $"/proc/self/fd/{fd}";
            b.Save();
            var bad = b.Rt("run", b.NewId());
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("chdir to cwd", bad.Stderr);
        }
    }

    [Fact]
    public void A_symlink_in_the_image_cannot_send_a_mount_outside_the_rootfs()
    {
        using var b = new Bundle("sh", "-c", "grep -c ' /escape ' /proc/self/mountinfo; ls /escape");
        var outside = Directory.CreateTempSubdirectory("rdmarun-outside-").FullName;
        try
        {
            File.CreateSymbolicLink(Path.Combine(b.Rootfs, "escape"), outside);
            b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/escape", ["type"] = "tmpfs", ["source"] = "tmpfs" });
            b.Save();
            var r = b.Rt("run", b.NewId());
            Assert.True(r.ExitCode == 0, r.ToString());
            // The link resolved inside the rootfs: the host directory got no mount and no files.
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
            Assert.DoesNotContain(outside, File.ReadAllText("/proc/self/mountinfo"));
        }
        finally { Directory.Delete(outside, true); }
    }

    [Fact]
    public void Non_dumpable_init_a_created_rootless_containers_init_hides_its_proc_files_from_the_user_owning_it()
    {
        using var b = new Bundle("sleep", "1000");
        var rt = AsUser.Rootless(b);
        var id = b.NewId();
        try
        {
            var c = rt.Run(b.Dir, "create", id);
            Assert.True(c.ExitCode == 0, c.ToString());
            int pid = JsonNode.Parse(rt.Run(b.Dir, "state", id).Stdout)!["pid"]!.GetValue<int>();
            // The init runs as the user (container root is mapped to it) and holds the init socket,
            // exec.fifo and rdmarun's environment. Dumpable, its owner could read all of it.
            Assert.Equal(0, Owner($"/proc/{pid}/environ"));
            foreach (var cmd in new[] { new[] { "cat", $"/proc/{pid}/environ" }, ["ls", $"/proc/{pid}/fd"], ["head", "-c1", $"/proc/{pid}/mem"], ["readlink", "-v", $"/proc/{pid}/cwd"] })
            {
                var r = AsUser.Run(cmd);
                Assert.True(r.ExitCode != 0 && r.Stdout.Length == 0, $"{string.Join(' ', cmd)} as the container's owner: {r}");
                Assert.Contains("Permission denied", r.Stderr);
            }
            // The price: the owner cannot join the init's namespaces before start either.
            var early = rt.Run(b.Dir, "exec", id, "true");
            Assert.NotEqual(0, early.ExitCode);
            Assert.Contains("has not exec'd its process yet (start the container first)", early.Stderr);
            // Once the user process runs (execve made it dumpable again) its owner may look: the
            // refusal above came from the init being non-dumpable, not from the uid.
            Assert.Equal(0, rt.Run(b.Dir, "start", id).ExitCode);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Owner($"/proc/{pid}/environ") != AsUser.Uid && DateTime.UtcNow < deadline) Thread.Sleep(20);
            var after = AsUser.Run("cat", $"/proc/{pid}/environ");
            Assert.True(after.ExitCode == 0, after.ToString());
            Assert.DoesNotContain("_RDMARUN", after.Stdout);
            var exec = rt.Run(b.Dir, "exec", id, "true");
            Assert.True(exec.ExitCode == 0, exec.ToString());
        }
        finally { rt.Run(b.Dir, "delete", "--force", id); }
    }

    [Fact]
    public void Cve_2022_29162_the_inheritable_set_is_only_what_the_spec_lists_whatever_the_caller_had()
    {
        using var b = new Bundle("grep", "-E", "^Cap(Inh|Amb):", "/proc/self/status");
        // rdmarun itself started with inheritable capabilities (as under a service manager that
        // grants some): none of them may reach the container, and the bounding set must not
        // leak into inheritable either.
        var wrapper = Path.Combine(b.Dir, "rdmarun-inh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec setpriv --inh-caps=+net_raw,+sys_admin,+dac_override -- '{Rdmarun.Binary}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0x1ed);
        var rt = new Rdmarun(b.Runtime.Root, wrapper);
        var caps = b.Process["capabilities"]!.AsObject();
        caps.Remove("inheritable");
        b.Save();
        var none = rt.Run(b.Dir, "run", b.NewId());
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains("CapInh:\t0000000000000000", none.Stdout);
        Assert.Contains("CapAmb:\t0000000000000000", none.Stdout);

        caps["inheritable"] = new JsonArray("CAP_NET_BIND_SERVICE"); // bit 10
        b.Save();
        var one = rt.Run(b.Dir, "run", b.NewId());
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("CapInh:\t0000000000000400", one.Stdout);
    }

    [Fact]
    public void Procfs_a_bind_mount_over_proc_sys_cannot_redirect_a_sysctl_write_to_a_host_file()
    {
        using var b = new Bundle("true");
        // The spec (or an image's volume) covers /proc/sys/kernel with a host directory before
        // the sysctls are applied: a path-based write of kernel.domainname would create a host file.
        var host = Directory.CreateTempSubdirectory("rdmarun-hostdir-").FullName;
        try
        {
            b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/proc/sys/kernel", ["type"] = "bind", ["source"] = host, ["options"] = new JsonArray("rbind") });
            b.Linux["sysctl"] = new JsonObject { ["kernel.domainname"] = "redirected" };
            b.Save();
            var id = b.NewId();
            var r = b.Rt("run", id);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("linux.sysctl kernel.domainname=redirected: /proc/sys/kernel/domainname is redirected by a mount or symlink", r.Stderr);
            Assert.Empty(Directory.EnumerateFileSystemEntries(host));
            Assert.Empty(LeakCheck.Find(b, id));
        }
        finally { Directory.Delete(host, true); }
    }

    [Fact]
    public void Procfs_an_image_whose_proc_is_a_symlink_is_refused()
    {
        using var b = new Bundle("true");
        // /proc -> /tmp: the real procfs would land on /tmp and whatever the image keeps at
        // /tmp/... would not matter, but /proc itself would be the image's (CVE-2019-16884).
        Directory.Delete(Path.Combine(b.Rootfs, "proc"));
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "proc"), "/tmp");
        var id = b.NewId();
        var r = b.Rt("run", id);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("mounts: proc must be mounted on an ordinary directory, but /proc in the rootfs goes through a symlink", r.Stderr);
        Assert.Empty(LeakCheck.Find(b, id));
    }

    [Fact]
    public void Console_the_pty_is_bound_only_onto_a_dev_console_of_the_containers_own_dev()
    {
        using var b = new Bundle("sleep", "1000");
        b.Process["terminal"] = true;
        b.Save();
        var sockPath = Path.Combine(b.Dir, "console.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(sockPath));
        listener.Listen(8);

        // The normal case: the pty lands on the tmpfs /dev's console (mounted through a verified fd).
        var ok = b.NewId();
        var c = b.Rt("create", "--console-socket", sockPath, ok);
        Assert.True(c.ExitCode == 0, c.ToString());
        var m = b.Rt("exec", ok, "grep", " /dev/console ", "/proc/self/mountinfo");
        Assert.True(m.ExitCode == 0, m.ToString());
        Assert.Contains("devpts", m.Stdout);
        b.Rt("delete", "--force", ok);

        // A mount put at /dev/console (here by the spec; in the advisory by a racing container)
        // must not receive the pty bind: it could stand for any file, e.g. under /proc/sys.
        var victim = Path.Combine(b.Dir, "victim");
        File.WriteAllText(victim, "host file\n");
        b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/dev/console", ["type"] = "bind", ["source"] = victim, ["options"] = new JsonArray("bind") });
        b.Save();
        var bad = b.NewId();
        var r = b.Rt("create", "--console-socket", sockPath, bad);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("console: /dev/console is not on the container's /dev (a mount covers it), refusing to bind the pty over it", r.Stderr);
        Assert.Empty(LeakCheck.Find(b, bad));
    }

    [Theory]
    [InlineData("apparmorProfile", "process.apparmorProfile: rdmarun-test is set but AppArmor is not enabled on this host")]
    [InlineData("selinuxLabel", "process.selinuxLabel: system_u:system_r:container_t:s0 is set but SELinux is not enabled on this host")]
    [InlineData("mountLabel", "linux.mountLabel: system_u:object_r:container_file_t:s0 is set but SELinux is not enabled on this host")]
    public void Lsm_a_label_asked_for_on_a_host_without_its_lsm_fails_create_and_leaves_nothing(string field, string error)
    {
        bool apparmor = File.Exists("/sys/module/apparmor/parameters/enabled") && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y";
        bool selinux = File.ReadAllText("/proc/filesystems").Contains("\tselinuxfs\n");
        if (field == "apparmorProfile" ? apparmor : selinux) return; // the host has it: nothing to refuse here
        using var b = new Bundle("true");
        switch (field)
        {
            case "apparmorProfile": b.Process["apparmorProfile"] = "rdmarun-test"; break;
            case "selinuxLabel": b.Process["selinuxLabel"] = "system_u:system_r:container_t:s0"; break;
            default: b.Linux["mountLabel"] = "system_u:object_r:container_file_t:s0"; break;
        }
        b.Save();
        var id = b.NewId();
        var r = b.Rt("create", id);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(error, r.Stderr);
        Assert.Empty(LeakCheck.Find(b, id));
        Assert.NotEqual(0, b.Rt("state", id).ExitCode);
    }

    [DllImport("libc", SetLastError = true)] private static extern int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [Fact]
    public void Cve_2021_30465_a_symlink_swapped_in_while_create_runs_never_gets_a_mount_outside_the_rootfs()
    {
        using var b = new Bundle("true");
        var outside = Directory.CreateTempSubdirectory("rdmarun-outside-").FullName;
        var result = Path.Combine(b.Dir, "hook.log");
        try
        {
            // rootfs/data flips between a directory and a symlink to a host directory (atomic
            // RENAME_EXCHANGE), as a process sharing the rootfs could do while create runs.
            Directory.CreateDirectory(Path.Combine(b.Rootfs, "data"));
            File.CreateSymbolicLink(Path.Combine(b.Rootfs, "data.alt"), outside);
            b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/data", ["type"] = "tmpfs", ["source"] = "tmpfs" });
            // createContainer hooks run in the container's mount namespace after its mounts and
            // before pivot_root: the one moment a mount on a host path would show.
            b.Config["hooks"] = new JsonObject
            {
                ["createContainer"] = new JsonArray(new JsonObject
                {
                    ["path"] = "/bin/sh",
                    ["args"] = new JsonArray("sh", "-c", $"if grep -q ' {outside} ' /proc/self/mountinfo; then echo ESCAPE >> {result}; fi; if grep -q ' {b.Rootfs}/data ' /proc/self/mountinfo; then echo inside >> {result}; fi; exit 0"),
                }),
            };
            b.Save();
            using var stop = new CancellationTokenSource();
            var flipper = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                    renameat2(-100 /* AT_FDCWD */, Path.Combine(b.Rootfs, "data"), -100, Path.Combine(b.Rootfs, "data.alt"), 2 /* RENAME_EXCHANGE */);
            }) { IsBackground = true };
            flipper.Start();
            try
            {
                // At least 25 creates, and on until one has shown its mount in place (under load a run
                // of creates can all meet the link and fail, which proves nothing either way).
                for (int i = 0; i < 25 || (i < 200 && !(File.Exists(result) && File.ReadAllText(result).Contains("inside"))); i++)
                {
                    var id = b.NewId();
                    b.Rt("create", id); // may fail when the link is seen: what matters is where mounts land
                    b.Rt("delete", "--force", id);
                }
            }
            finally { stop.Cancel(); flipper.Join(); }
            var log = File.Exists(result) ? File.ReadAllText(result) : "";
            Assert.DoesNotContain("ESCAPE", log);
            Assert.Contains("inside", log); // the hook did see the container's mounts
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        }
        finally { Directory.Delete(outside, true); }
    }

    /// <summary>Owner of a /proc file: the process's uid while dumpable, root while not.</summary>
    private static int Owner(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return int.TryParse(o, out var u) ? u : -1;
    }
    [Fact]
    public void Masked_paths_are_bound_from_a_real_null_device_even_when_the_image_links_dev_null_to_a_host_file()
    {
        // CVE-2025-31133: a runtime binds /dev/null over each masked path; an image whose /dev/null is a
        // symlink (here to the kernel's core_pattern) made that bind land the link's target on the masked
        // path, writable. With no /dev tmpfs in the spec the image's own /dev is the container's.
        using var b = new Bundle("sh", "-c", "stat -c '%F %t:%T' /dev/null /proc/timer_list; readlink /dev/null || echo not-a-link");
        var mounts = b.Config["mounts"]!.AsArray();
        foreach (var m in mounts.Where(m => m!["destination"]!.GetValue<string>().StartsWith("/dev")).ToList()) mounts.Remove(m);
        var masked = b.Linux["maskedPaths"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("/proc/timer_list", masked);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev/null"), "/proc/sys/kernel/core_pattern");
        b.Save();
        var before = File.ReadAllText("/proc/sys/kernel/core_pattern");
        var r = b.Rt("run", b.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        // Both the container's /dev/null and the masked file are the null device (1:3), not a link.
        Assert.Equal("character special file 1:3\ncharacter special file 1:3\nnot-a-link", r.Stdout.Trim());
        Assert.Equal(before, File.ReadAllText("/proc/sys/kernel/core_pattern"));
    }
}
