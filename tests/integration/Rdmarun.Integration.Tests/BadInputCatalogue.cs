using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// The bad-input catalogue: each case is one thing a user can get wrong, the command that tries it,
/// and the error text they must see (`…` stands for host-specific text; {bundle} and {id} are
/// filled in). docs/bad-inputs.md is generated from these cases and their observed output by
/// scripts/bad-inputs-doc.sh, so the doc cannot drift from what is tested.
/// </summary>
public static class BadInputCatalogue
{
    /// <param name="Prepare">Edits the bundle (or makes a container) and returns rdmarun's arguments.</param>
    /// <param name="LeavesNothing">A failed create: no state dir, cgroup, mount or process may remain.</param>
    public sealed record Case(string Name, string Input, Func<Bundle, string, string[]> Prepare, string Expected, bool LeavesNothing = true);

    private static string[] Create(string id) => ["create", id];

    private static Func<Bundle, string, string[]> Edit(Action<Bundle> edit) => (b, id) => { edit(b); b.Save(); return Create(id); };

    private static Func<Bundle, string, string[]> RawConfig(string text) => (b, id) =>
    {
        File.WriteAllText(Path.Combine(b.Dir, "config.json"), text);
        return Create(id);
    };

    private static JsonArray Ns(params string[] types) => new(types.Select(t => (JsonNode)new JsonObject { ["type"] = t }).ToArray());

    private static void Annotate(Bundle b, string key, string value)
    {
        var a = b.Config["annotations"] as JsonObject ?? new JsonObject();
        a[key] = value;
        b.Config["annotations"] = a;
    }

    /// <summary>A container made with the production binary for the commands that act on one.</summary>
    private static void Running(Bundle b, string id, params string[] args)
    {
        b.Args(args.Length > 0 ? args : ["sleep", "600"]).Save();
        var r = b.Rt("run", "--detach", id);
        if (r.ExitCode != 0) throw new InvalidOperationException("setup: " + r);
    }

    private static void Stopped(Bundle b, string id)
    {
        Running(b, id, "true");
        for (int i = 0; i < 500 && !b.Rt("state", id).Stdout.Contains("\"stopped\""); i++) Thread.Sleep(10);
    }

    public static readonly IReadOnlyList<Case> Cases =
    [
        // config.json: syntax and types
        new("missing-rootfs", "`root.path` names a directory that does not exist",
            Edit(b => b.Config["root"]!["path"] = "nowhere"), "config.json: $.root.path: rootfs {bundle}/nowhere does not exist"),
        new("bad-json", "config.json is not JSON",
            RawConfig("{ not json"), "config.json: invalid json at line 1 column 3: expected a property name in double quotes, found 'n'"),
        new("truncated-json", "config.json ends in the middle of an object",
            RawConfig("{\"ociVersion\": \"1.0.0\", \"process\": {"), "config.json: invalid json at line 1 column 37: unexpected end of data: an object or array is not closed"),
        new("trailing-comma", "a trailing comma",
            RawConfig("{\"ociVersion\": \"1.0.0\",}"), "config.json: invalid json at line 1 column 24: trailing comma"),
        new("json-array", "config.json holds an array, not an object",
            RawConfig("[1, 2]"), "config.json: $: expected an object, got an array"),
        new("wrong-type-string-for-number", "`process.user.uid` is a string",
            Edit(b => b.Process["user"]!["uid"] = "abc"), "config.json: $.process.user.uid: expected a number (uint32), got \"abc\""),
        new("wrong-type-bool-for-number", "`linux.resources.memory.limit` is a boolean",
            Edit(b => b.Linux["resources"] = new JsonObject { ["memory"] = new JsonObject { ["limit"] = true } }),
            "config.json: $.linux.resources.memory.limit: expected a number (int64), got true"),
        new("unsupported-version", "`ociVersion` 9.0.0",
            Edit(b => b.Config["ociVersion"] = "9.0.0"), "config.json: $.ociVersion: unsupported version \"9.0.0\", expected 1.x"),
        new("no-process", "no `process`",
            Edit(b => b.Config.Remove("process")), "process: the spec has no process to run"),
        new("empty-args", "`process.args` is empty",
            Edit(b => b.Process["args"] = new JsonArray()), "config.json: $.process.args: must contain at least one element (the program to run)"),
        new("relative-cwd", "`process.cwd` is relative",
            Edit(b => b.Process["cwd"] = "relative"), "config.json: $.process.cwd: must be an absolute path, got \"relative\""),
        new("missing-executable", "the program is not in the rootfs",
            Edit(b => b.Args("no-such-program")), "exec: \"no-such-program\": executable file not found in $PATH"),
        new("unknown-rlimit", "an unknown rlimit",
            Edit(b => b.Process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_BOGUS", ["hard"] = 1, ["soft"] = 1 })),
            "config.json: $.process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\""),
        new("terminal-without-console", "`process.terminal` without --console-socket",
            Edit(b => b.Process["terminal"] = true), "cannot allocate tty if rdmarun will detach without setting console socket"),
        // namespaces
        new("unknown-namespace", "an unknown namespace type",
            Edit(b => b.Linux["namespaces"] = Ns("pid", "mount", "uts", "bogus")), "config.json: $.linux.namespaces[3].type: unknown namespace type \"bogus\""),
        new("duplicate-namespace", "the same namespace twice",
            Edit(b => b.Linux["namespaces"] = Ns("pid", "mount", "uts", "pid")), "config.json: $.linux.namespaces[3].type: duplicated namespace \"pid\" (first at index 0)"),
        new("no-mount-namespace", "no mount namespace (but masked paths)",
            Edit(b => { b.Linux["namespaces"] = Ns("pid"); b.Config.Remove("hostname"); }),
            "config.json: $.linux.maskedPaths: unable to restrict paths without a private mount namespace"),
        new("hostname-without-uts", "`hostname` without a uts namespace",
            Edit(b => b.Linux["namespaces"] = Ns("pid", "mount")), "config.json: $.hostname: unable to set hostname without a private uts namespace"),
        new("namespace-path-missing", "a namespace path that does not exist",
            Edit(b => { b.Linux["namespaces"] = new JsonArray(new JsonObject { ["type"] = "mount" }, new JsonObject { ["type"] = "network", ["path"] = "/proc/999999999/ns/net" }); b.Config.Remove("hostname"); }),
            "nsexec: open net namespace /proc/999999999/ns/net: no such file or directory"),
        new("sysctl-not-namespaced", "a sysctl outside any namespace of the container",
            Edit(b => b.Linux["sysctl"] = new JsonObject { ["kernel.bogus_sysctl"] = "1" }),
            "config.json: $.linux.sysctl['kernel.bogus_sysctl']: sysctl \"kernel.bogus_sysctl\" is not in a separate kernel namespace"),
        // mounts and devices
        new("mount-target-symlink-loop", "a mount target through a symlink loop in the rootfs",
            (b, id) =>
            {
                File.CreateSymbolicLink(Path.Combine(b.Rootfs, "loop"), "loop");
                b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/loop/x", ["type"] = "tmpfs", ["source"] = "tmpfs" });
                b.Save();
                return Create(id);
            },
            "resolve /loop/x in {bundle}/rootfs: too many levels of symbolic links"),
        new("bind-source-missing", "a bind mount whose source does not exist",
            Edit(b => b.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/mnt/x", ["type"] = "bind", ["source"] = "/does/not/exist", ["options"] = new JsonArray("rbind") })),
            "mounts: bind source /does/not/exist for /mnt/x does not exist"),
        new("device-without-numbers", "a device that does not exist (no major/minor to create it from)",
            Edit(b => b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/nosuch", ["type"] = "c" })),
            "config.json: $.linux.devices[0]: device type \"c\" needs major and minor numbers"),
        new("device-bad-type", "a device of an unknown type",
            Edit(b => b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/nosuch", ["type"] = "q", ["major"] = 1, ["minor"] = 3 })),
            "config.json: $.linux.devices[0].type: invalid device type \"q\", expected one of c, b, u, p"),
        // resources
        new("limit-rejected-by-kernel", "a memory limit the kernel refuses (-5)",
            Edit(b => b.Linux["resources"] = new JsonObject { ["memory"] = new JsonObject { ["limit"] = -5 } }),
            "cgroup: write -5 to /sys/fs/cgroup/…/{id}/memory.…: invalid argument"),
        new("seccomp-unknown-action", "an unknown seccomp action",
            Edit(b => b.Linux["seccomp"] = new JsonObject { ["defaultAction"] = "SCMP_ACT_BOGUS" }),
            "config.json: $.linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BOGUS\""),
        new("hook-missing", "a prestart hook that does not exist",
            Edit(b => b.Config["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/no/such/hook" }) }),
            "error running prestart hook #0 (/no/such/hook): spawn /no/such/hook: no such file or directory"),
        // RDMA
        new("rdma-device-absent", "an RDMA device that is not on the host (or not in the policy)",
            Edit(b => Annotate(b, "org.rdmarun.rdma.devices", "mlx5_9")),
            "rdma: device mlx5_9 (from annotation org.rdmarun.rdma.devices) is not present on this host"),
        new("rdma-limits-absent-device", "`linux.resources.rdma` limits for a device that is not on the host",
            Edit(b => b.Linux["resources"] = new JsonObject { ["rdma"] = new JsonObject { ["mlx5_0"] = new JsonObject { ["hcaHandles"] = 1000 } } }),
            "rdma: device mlx5_0 (from linux.resources.rdma) is not present on this host"),
        new("rdma-bad-annotation", "an RDMA annotation with a bad value",
            Edit(b => Annotate(b, "org.rdmarun.rdma.mad", "bogus")), "rdma: annotation org.rdmarun.rdma.mad: \"bogus\" is not true, false or sm"),
        new("rdma-policy-unknown-key", "an RDMA policy file with an unknown key",
            (b, id) =>
            {
                File.WriteAllText(Path.Combine(b.Dir, "policy.json"), "{\"bogus\": 1}");
                Annotate(b, "org.rdmarun.rdma.devices", "none");
                b.Save();
                return ["--rdma-policy", Path.Combine(b.Dir, "policy.json"), "create", id];
            },
            "rdma: policy {bundle}/policy.json: invalid at $.bogus: unknown key"),
        // ids, bundles, the state dir, global flags
        new("id-with-slash", "an id with `/`", (b, id) => ["create", "a/b"], "invalid container id \"a/b\": only letters, digits, '_', '+', '-' and '.' are allowed"),
        new("id-dotdot", "the id `..`", (b, id) => ["create", ".."], "invalid container id \"..\": only letters, digits, '_', '+', '-' and '.' are allowed"),
        new("id-escape", "an id with `../`", (b, id) => ["create", "../escape"], "invalid container id \"../escape\": only letters, digits, '_', '+', '-' and '.' are allowed"),
        new("bundle-missing", "a bundle that does not exist", (b, id) => ["create", "--bundle", Path.Combine(b.Dir, "nope"), id], "bundle {bundle}/nope does not exist"),
        new("config-unreadable", "a bundle whose config.json cannot be read (a directory)",
            (b, id) =>
            {
                Directory.CreateDirectory(Path.Combine(b.Dir, "other", "config.json"));
                return ["create", "--bundle", Path.Combine(b.Dir, "other"), id];
            },
            "open {bundle}/other/config.json: is a directory"),
        new("state-dir-full", "a full disk for the state dir (an 8 KiB tmpfs as --root, filled)",
            (b, id) =>
            {
                var full = Directory.CreateDirectory(Path.Combine(b.Dir, "full")).FullName;
                Sh($"mount -t tmpfs -o size=8k tmpfs {full} && head -c 8192 /dev/zero > {full}/fill");
                return ["--root", full, "create", id];
            },
            "{bundle}/full/{id}/config.json: no space left on device"),
        new("bad-log-path", "--log in a directory that does not exist",
            (b, id) => ["--log", Path.Combine(b.Dir, "no/dir/log"), "state", id], "rdmarun: cannot write log {bundle}/no/dir/log: no such file or directory"),
        new("bad-log-format", "--log-format xml", (b, id) => ["--log-format", "xml", "state", id], "invalid log format xml: use text or json"),
        new("unknown-flag", "a flag create does not know", (b, id) => ["create", "--bogus", id], "flag provided but not defined: -bogus"),
        new("missing-id", "a verb without its id", (b, id) => ["start"], "\"start\" requires a container id"),
        new("unknown-verb", "an unknown verb", (b, id) => ["frobnicate"], "no such command: frobnicate (see rdmarun --help)"),
        // commands on containers in the wrong state
        new("unknown-container", "a container that does not exist", (b, id) => ["state", id], "container {id} does not exist"),
        new("duplicate-id", "create with an id in use", (b, id) => { Running(b, id); return Create(id); }, "container with id {id} already exists", false),
        new("unknown-signal", "kill with an unknown signal name", (b, id) => { Running(b, id); return ["kill", id, "SIGFOO"]; }, "unknown signal \"SIGFOO\"", false),
        new("bad-signal-number", "kill with signal 99", (b, id) => { Running(b, id); return ["kill", id, "99"]; }, "invalid signal: 99", false),
        new("exec-stopped", "exec on a stopped container", (b, id) => { Stopped(b, id); return ["exec", id, "true"]; }, "cannot exec in a stopped container", false),
        new("start-stopped", "start on a stopped container", (b, id) => { Stopped(b, id); return ["start", id]; }, "cannot start a container that has stopped", false),
        new("delete-running", "delete (without --force) of a running container", (b, id) => { Running(b, id); return ["delete", id]; },
            "cannot delete container {id} that is not stopped: running", false),
        new("exec-no-command", "exec without a command", (b, id) => { Running(b, id); return ["exec", id]; }, "exec: no command given (args or --process)", false),
        new("exec-bad-user", "exec --user with a name", (b, id) => { Running(b, id); return ["exec", "--user", "abc", id, "true"]; }, "--user abc: expected uid[:gid] as numbers", false),
        new("exec-process-missing", "exec --process with a file that does not exist",
            (b, id) => { Running(b, id); return ["exec", "--process", Path.Combine(b.Dir, "nope.json"), id]; },
            "read process file {bundle}/nope.json: no such file or directory", false),
        new("exec-process-wrong-type", "exec --process whose args is a string",
            (b, id) =>
            {
                Running(b, id);
                File.WriteAllText(Path.Combine(b.Dir, "p.json"), "{\"args\": \"sh\"}");
                return ["exec", "--process", Path.Combine(b.Dir, "p.json"), id];
            },
            "{bundle}/p.json: $.args: expected an array, got \"sh\"", false),
        new("exec-missing-program", "exec of a program that is not in the container",
            (b, id) => { Running(b, id); return ["exec", id, "/no/such/prog"]; }, "exec: \"/no/such/prog\": stat /no/such/prog: no such file or directory", false),
    ];

    private static void Sh(string script)
    {
        using var p = System.Diagnostics.Process.Start("/bin/sh", ["-c", script])!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"setup failed: {script}");
    }

    /// <summary>Undoes what a case set up on the host (the tmpfs of state-dir-full); returns what the failed create left in it.</summary>
    public static List<string> Cleanup(Bundle b)
    {
        var full = Path.Combine(b.Dir, "full");
        if (!Directory.Exists(full) || !File.ReadAllText("/proc/self/mountinfo").Contains(" " + full + " ")) return [];
        var left = Directory.EnumerateFileSystemEntries(full).Where(e => Path.GetFileName(e) != "fill").ToList();
        Sh($"umount {full}");
        return left;
    }
}
