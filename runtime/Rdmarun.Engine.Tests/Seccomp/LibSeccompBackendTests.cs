using Rdmarun.Engine.Seccomp;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Seccomp;

/// <summary>The real libseccomp, building (never loading) filters.</summary>
public class LibSeccompBackendTests
{
    [Fact]
    public void Libseccomp_accepts_every_listed_architecture()
    {
        // A wrong value is EINVAL; EDOM only says the architecture's endianness differs from the native one.
        foreach (var name in SeccompArchs.Names)
        {
            using var b = new LibSeccompBackend();
            b.Init(SeccompActions.Allow);
            try { b.AddArch(SeccompArchs.Resolve(name)!.Value); }
            catch (RuntimeError e) { Assert.Contains("numerical argument out of domain", e.Message); }
        }
    }

    [Fact]
    public void Argument_rules_reach_the_filter_code()
    {
        var s = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [new LinuxSyscall { Names = ["socket"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Index = 0, Value = 2, Op = "SCMP_CMP_EQ" }] }],
        };
        using var b = new LibSeccompBackend();
        SeccompFilter.Build(s, b);
        var pfc = b.ExportPfc();
        Assert.Contains("socket", pfc);
        Assert.Contains("if ($a0.lo32 == 2)", pfc);
        Assert.Contains("action ERRNO(1)", pfc);
    }

    [Fact]
    public void Docker_default_profile_builds()
    {
        var path = FindFixture("docker-default-seccomp.json");
        var spec = SpecJson.ParseSpec(System.Text.Encoding.UTF8.GetBytes("""{"ociVersion":"1.2.1","linux":{"seccomp":""" + File.ReadAllText(path) + "}}"));
        SeccompFilter.Validate(spec.Linux!.Seccomp);
    }

    [Fact]
    public void Exec_config_round_trips_the_profile()
    {
        var s = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 38, Architectures = ["SCMP_ARCH_X86_64"],
            Syscalls = [new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_ALLOW", Args = [new LinuxSeccompArg { Index = 1, Value = 7, ValueTwo = 3, Op = "SCMP_CMP_MASKED_EQ" }] }],
        };
        var back = SeccompInit.FromConfigJson(SeccompInit.ToConfigJson(s))!;
        Assert.Equal(38u, back.DefaultErrnoRet);
        Assert.Equal(3ul, back.Syscalls![0].Args![0].ValueTwo);
        Assert.Null(SeccompInit.FromConfigJson(SeccompInit.ToConfigJson(null)));
    }

    [Fact]
    public void Features_list_what_the_mapping_accepts()
    {
        var f = SeccompFeatureList.Get();
        Assert.True(f.Enabled);
        Assert.Contains("SCMP_ACT_NOTIFY", f.Actions!);
        Assert.Contains("SCMP_CMP_MASKED_EQ", f.Operators!);
        Assert.Contains("SCMP_ARCH_X86_64", f.Archs!);
        Assert.DoesNotContain("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", f.SupportedFlags!);
    }

    private static string FindFixture(string name)
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "rdmarun.slnx"))) dir = Path.GetDirectoryName(dir);
        return Path.Combine(dir!, "tests/integration/Rdmarun.Integration.Tests/Fixtures", name);
    }
}
