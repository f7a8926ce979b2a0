using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>Mounts, masked and readonly paths, readonly rootfs.</summary>
static class FilesystemCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("mount-tmpfs", "tmpfs with size/mode and nosuid/nodev/noexec, as mountinfo shows it", TmpfsMount),
        new("mount-bind-ro", "read-only bind mount: readable, writes fail with EROFS", BindReadOnly),
        new("mount-bind-flags", "bind mount with nosuid,nodev,noexec keeps the flags", BindFlags),
        new("masked-paths", "masked paths read empty or are denied", MaskedPaths),
        new("readonly-paths", "readonly paths refuse writes", ReadonlyPaths),
        new("readonly-rootfs", "root.readonly makes / read-only but not /dev/shm", ReadonlyRootfs),
    ];

    static async Task TmpfsMount(CaseContext c)
    {
        var b = await c.NewBundleAsync("stat=/mnt/scratch", "touch=/mnt/scratch/file");
        b.AddMount(DefaultSpec.Mount("/mnt/scratch", "tmpfs", "tmpfs", "nosuid", "nodev", "noexec", "size=1m", "mode=1770"));
        var facts = await c.RunValidatorAsync(b);
        var m = facts.Mount("/mnt/scratch") ?? throw new CaseFailedException("no mountinfo line for /mnt/scratch");
        Check.Equal("tmpfs", m.FsType, "fstype of /mnt/scratch");
        foreach (var flag in new[] { "nosuid", "nodev", "noexec", "rw" })
            Check.True(m.MountOptions.Contains(flag), $"/mnt/scratch lacks {flag}: {m}");
        Check.True(m.SuperOptions.Contains("size=1024k"), $"/mnt/scratch lacks size=1024k: {m}");
        Check.True(m.SuperOptions.Contains("mode=1770"), $"/mnt/scratch lacks mode=1770: {m}");
        Check.True(facts["stat./mnt/scratch"].StartsWith("d 0 0 1770 "), $"/mnt/scratch stat: {facts["stat./mnt/scratch"]}");
        Check.Equal("ok", facts["touch./mnt/scratch/file"], "creating a file on the tmpfs");
    }

    static async Task BindReadOnly(CaseContext c)
    {
        string source = Path.Combine(c.WorkDir, "ro-source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "hello"), "from the host\n");
        var b = await c.NewBundleAsync("cat=/mnt/ro/hello", "touch=/mnt/ro/new");
        b.AddMount(DefaultSpec.Mount("/mnt/ro", "bind", source, "rbind", "ro"));
        var facts = await c.RunValidatorAsync(b);
        var m = facts.Mount("/mnt/ro") ?? throw new CaseFailedException("no mountinfo line for /mnt/ro");
        Check.True(m.MountOptions.Contains("ro"), $"/mnt/ro is not ro: {m}");
        Check.Equal("from the host", facts["cat./mnt/ro/hello"], "content read through the bind mount");
        Check.Equal("err:EROFS", facts["touch./mnt/ro/new"], "creating a file on the read-only bind mount");
        Check.True(!File.Exists(Path.Combine(source, "new")), "the write reached the host directory");
    }

    static async Task BindFlags(CaseContext c)
    {
        string source = Path.Combine(c.WorkDir, "flags-source");
        Directory.CreateDirectory(source);
        var b = await c.NewBundleAsync();
        b.AddMount(DefaultSpec.Mount("/mnt/flags", "bind", source, "bind", "nosuid", "nodev", "noexec"));
        var m = (await c.RunValidatorAsync(b)).Mount("/mnt/flags") ?? throw new CaseFailedException("no mountinfo line for /mnt/flags");
        foreach (var flag in new[] { "nosuid", "nodev", "noexec", "rw" })
            Check.True(m.MountOptions.Contains(flag), $"/mnt/flags lacks {flag}: {m}");
    }

    static async Task MaskedPaths(CaseContext c)
    {
        var b = await c.NewBundleAsync("read=/proc/kcore", "read=/proc/timer_list", "read=/proc/keys");
        var facts = await c.RunValidatorAsync(b);
        foreach (var path in new[] { "/proc/kcore", "/proc/timer_list", "/proc/keys" })
        {
            string r = facts[$"read.{path}"];
            Check.True(r is "ok:0" or "err:EACCES" or "err:EPERM" or "err:ENOENT", $"{path} is readable inside the container ({r})");
        }
    }

    static async Task ReadonlyPaths(CaseContext c)
    {
        // Kernels built without CONFIG_MAGIC_SYSRQ have no /proc/sysrq-trigger; only probe it when the host has it.
        bool sysrq = File.Exists("/proc/sysrq-trigger");
        var b = await c.NewBundleAsync();
        // Rootless, /proc/sys files fail with EACCES before the read-only mount is looked at. A net.* file
        // of the container's own network namespace is writable with CAP_NET_ADMIN in the container's user
        // namespace, so there only the read-only mount can refuse the write.
        string target = b.User is null ? "/proc/sys/kernel/domainname" : "/proc/sys/net/ipv4/ip_forward";
        if (b.User is not null)
        {
            if (!b.HasNamespace("network"))
                b.AddNamespace("network");
            var caps = (JsonObject)b.Process["capabilities"]!;
            foreach (var set in new[] { "bounding", "effective", "permitted" })
                ((JsonArray)caps[set]!).Add("CAP_NET_ADMIN");
        }
        b.SetArgs(["/validator", $"write={target}:1", "read=/proc/sys/kernel/ostype", .. sysrq ? ["write=/proc/sysrq-trigger:h"] : Array.Empty<string>()]);
        var facts = await c.RunValidatorAsync(b);
        Check.Equal("err:EROFS", facts[$"write.{target}"], $"writing {target}");
        // sysrq-trigger belongs to the host's root: rootless, EACCES comes first (still refused).
        if (sysrq)
            Check.True(facts["write./proc/sysrq-trigger"] == "err:EROFS" || (b.User is not null && facts["write./proc/sysrq-trigger"] == "err:EACCES"),
                $"writing /proc/sysrq-trigger: {facts["write./proc/sysrq-trigger"]}");
        Check.True(facts["read./proc/sys/kernel/ostype"].StartsWith("ok:") && facts["read./proc/sys/kernel/ostype"] != "ok:0",
            $"/proc/sys must stay readable ({facts["read./proc/sys/kernel/ostype"]})");
    }

    static async Task ReadonlyRootfs(CaseContext c)
    {
        var b = await c.NewBundleAsync("touch=/newfile", "touch=/dev/shm/ok");
        ((JsonObject)b.Config["root"]!)["readonly"] = true;
        var facts = await c.RunValidatorAsync(b);
        Check.Equal("err:EROFS", facts["touch./newfile"], "creating a file on a read-only rootfs");
        Check.Equal("ok", facts["touch./dev/shm/ok"], "creating a file in /dev/shm on a read-only rootfs");
        var root = facts.Mount("/") ?? throw new CaseFailedException("no mountinfo line for /");
        Check.True(root.MountOptions.Contains("ro"), $"/ is not mounted ro: {root}");
    }
}
