namespace Rdmarun.Conformance;

/// <summary>
/// Things built once per harness run: the static validator and a busybox template rootfs that
/// every bundle copies. Nothing binary is committed; everything comes from the host's packages.
/// </summary>
sealed class Assets
{
    public required string Dir { get; init; }
    public required string ValidatorPath { get; init; }
    public required string TemplateRootfs { get; init; }

    public const int TestUid = 1000;
    public const int TestGid = 1000;

    /// <param name="prebuiltValidator">a validator compiled elsewhere (the kernel lab: gcc under emulation is slow), or null to compile</param>
    public static async Task<Assets> BuildAsync(string dir, string? prebuiltValidator = null)
    {
        Directory.CreateDirectory(dir);
        string validator = Path.Combine(dir, "validator");
        if (prebuiltValidator is not null)
        {
            File.Copy(prebuiltValidator, validator, overwrite: true);
        }
        else
        {
            string source = FindValidatorSource();
            var cc = await ProcessRunner.RunAsync(["gcc", "-static", "-O2", "-Wall", "-o", validator, source], dir, TimeScale.Of(TimeSpan.FromMinutes(2)));
            if (cc.ExitCode != 0)
                throw new InvalidOperationException($"compiling {source} failed: {cc.Stderr.Trim()}");
        }

        string busybox = FindBusybox();
        string rootfs = Path.Combine(dir, "rootfs-template");
        foreach (var d in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "mnt", "root", "home/tester" })
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        File.Copy(busybox, Path.Combine(rootfs, "bin/busybox"), overwrite: true);
        // --install -s makes absolute links to the binary's own path, so it must run chrooted
        // for the links to point at /bin/busybox inside the container.
        var install = await ProcessRunner.RunAsync(["chroot", rootfs, "/bin/busybox", "--install", "-s"], dir, TimeScale.Of(TimeSpan.FromMinutes(1)));
        if (install.ExitCode != 0)
            throw new InvalidOperationException($"busybox --install -s in {rootfs} failed: {install.Stderr.Trim()}");
        File.Copy(validator, Path.Combine(rootfs, "validator"), overwrite: true);
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"),
            $"root:x:0:0:root:/root:/bin/sh\ntester:x:{TestUid}:{TestGid}:tester:/home/tester:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"),
            $"root:x:0:\ntty:x:5:\ndisk:x:6:\ntester:x:{TestGid}:\nnogroup:x:65534:\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/hostname"), "template\n");
        return new Assets { Dir = dir, ValidatorPath = validator, TemplateRootfs = rootfs };
    }

    static string FindValidatorSource()
    {
        // Next to the binary (copied by the csproj) or in the source tree when run from elsewhere.
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "validator", "validator.c"),
            Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "validator", "validator.c"),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"validator.c not found next to {AppContext.BaseDirectory}");
    }

    static string FindBusybox()
    {
        foreach (var p in new[] { "/bin/busybox", "/usr/bin/busybox" })
            if (File.Exists(p))
                return p;
        throw new FileNotFoundException("busybox not found: install busybox-static");
    }
}
