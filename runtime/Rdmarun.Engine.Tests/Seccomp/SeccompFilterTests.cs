using Rdmarun.Engine.Seccomp;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Tests.Seccomp;

public class SeccompFilterTests
{
    private static LinuxSeccomp Profile(string defaultAction, params LinuxSyscall[] calls) =>
        new() { DefaultAction = defaultAction, Syscalls = [.. calls] };

    private static LinuxSyscall Call(string action, params string[] names) => new() { Action = action, Names = [.. names] };

    private static LinuxSeccompArg Arg(uint index, ulong value, string op, ulong two = 0) =>
        new() { Index = index, Value = value, Op = op, ValueTwo = two };

    private static RecordingBackend Build(LinuxSeccomp s)
    {
        var b = new RecordingBackend();
        SeccompFilter.Build(s, b);
        return b;
    }

    [Fact]
    public void Errno_without_errnoRet_returns_eperm()
    {
        var b = Build(Profile("SCMP_ACT_ALLOW", Call("SCMP_ACT_ERRNO", "mkdir")));
        Assert.Equal(SeccompActions.Allow, b.DefaultAction);
        var rule = Assert.Single(b.Rules);
        Assert.Equal(("mkdir", 0x00050001u), (rule.Name, rule.Action));
        Assert.Empty(rule.Conditions);
    }

    [Fact]
    public void Default_errnoRet_and_rule_errnoRet_are_used()
    {
        var s = Profile("SCMP_ACT_ERRNO", new LinuxSyscall { Action = "SCMP_ACT_ERRNO", ErrnoRet = 38, Names = ["clone3"] },
            Call("SCMP_ACT_ALLOW", "read"));
        s.DefaultErrnoRet = 13;
        var b = Build(s);
        Assert.Equal(0x0005000du, b.DefaultAction);
        Assert.Contains(b.Rules, r => r.Name == "clone3" && r.Action == 0x00050026u);
        Assert.Contains(b.Rules, r => r.Name == "read" && r.Action == SeccompActions.Allow);
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_THREAD", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", 0x80000000u)]
    [InlineData("SCMP_ACT_TRAP", 0x00030000u)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff00001u)]
    [InlineData("SCMP_ACT_LOG", 0x7ffc0000u)]
    public void Every_action_maps_to_its_libseccomp_value(string action, uint expected)
    {
        var b = Build(Profile("SCMP_ACT_ALLOW", Call(action, "getpid")));
        Assert.Equal(expected, Assert.Single(b.Rules).Action);
    }

    [Fact]
    public void Filter_never_sets_no_new_privs_itself()
    {
        var b = Build(Profile("SCMP_ACT_ALLOW"));
        Assert.Contains((3, 0u), b.Attrs);
    }

    [Fact]
    public void Rule_with_the_default_action_is_dropped()
    {
        var b = Build(Profile("SCMP_ACT_ALLOW", Call("SCMP_ACT_ALLOW", "read", "write"), Call("SCMP_ACT_ERRNO", "mkdir")));
        Assert.Equal(["mkdir"], b.Rules.Select(r => r.Name));
    }

    [Fact]
    public void Unknown_syscall_names_are_skipped()
    {
        var b = Build(Profile("SCMP_ACT_ALLOW", Call("SCMP_ACT_ERRNO", "no_such_syscall_xyz", "mkdir", "mkdirat")));
        Assert.Equal(["mkdir", "mkdirat"], b.Rules.Select(r => r.Name));
    }

    [Fact]
    public void Conditions_on_different_arguments_are_one_rule()
    {
        var call = Call("SCMP_ACT_ERRNO", "socket");
        call.Args = [Arg(0, 2, "SCMP_CMP_EQ"), Arg(1, 1, "SCMP_CMP_EQ")];
        var rule = Assert.Single(Build(Profile("SCMP_ACT_ALLOW", call)).Rules);
        Assert.Equal([new SeccompCondition(0, SeccompOp.Equal, 2, 0), new SeccompCondition(1, SeccompOp.Equal, 1, 0)], rule.Conditions);
    }

    [Fact]
    public void Conditions_on_the_same_argument_become_separate_rules()
    {
        var call = Call("SCMP_ACT_ALLOW", "personality");
        call.Args = [Arg(0, 0, "SCMP_CMP_EQ"), Arg(0, 8, "SCMP_CMP_EQ"), Arg(1, 4, "SCMP_CMP_MASKED_EQ", 4)];
        var rules = Build(Profile("SCMP_ACT_ERRNO", call)).Rules;
        Assert.Equal(3, rules.Count);
        Assert.All(rules, r => Assert.Single(r.Conditions));
        Assert.Equal(new SeccompCondition(1, SeccompOp.MaskedEqual, 4, 4), rules[2].Conditions[0]);
    }

    [Theory]
    [InlineData("SCMP_CMP_NE", SeccompOp.NotEqual)]
    [InlineData("SCMP_CMP_LT", SeccompOp.LessThan)]
    [InlineData("SCMP_CMP_LE", SeccompOp.LessOrEqual)]
    [InlineData("SCMP_CMP_EQ", SeccompOp.Equal)]
    [InlineData("SCMP_CMP_GE", SeccompOp.GreaterOrEqual)]
    [InlineData("SCMP_CMP_GT", SeccompOp.GreaterThan)]
    [InlineData("SCMP_CMP_MASKED_EQ", SeccompOp.MaskedEqual)]
    public void Operators_map_to_scmp_compare(string name, SeccompOp op) => Assert.Equal(op, SeccompOps.Resolve(name));

    [Fact]
    public void Architectures_and_flags_are_passed_on()
    {
        var s = Profile("SCMP_ACT_ALLOW");
        s.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];
        s.Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];
        var b = Build(s);
        Assert.Equal([0xC000003Eu, 0x40000003u, 0x4000003Eu], b.Archs);
        Assert.Contains((4, 1u), b.Attrs);
        Assert.Contains((6, 1u), b.Attrs);
        Assert.Contains((7, 1u), b.Attrs);
    }

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_FOO"}""", "seccomp: unknown action \"SCMP_ACT_FOO\" in linux.seccomp.defaultAction")]
    [InlineData("""{"defaultAction":"SCMP_ACT_NOTIFY"}""", "seccomp: SCMP_ACT_NOTIFY cannot be the default action (linux.seccomp.defaultAction)")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO"},{"names":["mkdir"],"action":"SCMP_ACT_FOO"}]}""",
        "seccomp: unknown action \"SCMP_ACT_FOO\" in linux.seccomp.syscalls[1]")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}""",
        "seccomp: argument index 6 in linux.seccomp.syscalls[0].args[0] is out of range (0-5)")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}""",
        "seccomp: unknown operator \"SCMP_CMP_XX\" in linux.seccomp.syscalls[0].args[0]")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_VAX"]}""",
        "seccomp: unknown architecture \"SCMP_ARCH_VAX\" in linux.seccomp.architectures[1]")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}""",
        "seccomp: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV in linux.seccomp.flags[0] is not supported by this build")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","flags":["BOGUS"]}""", "seccomp: unknown flag \"BOGUS\" in linux.seccomp.flags[0]")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}""",
        "seccomp: SCMP_ACT_NOTIFY is used but linux.seccomp.listenerPath is not set")]
    public void Bad_profiles_are_refused_with_their_json_path(string json, string message)
    {
        var spec = SpecJson.ParseSpec(System.Text.Encoding.UTF8.GetBytes("""{"ociVersion":"1.2.1","linux":{"seccomp":""" + json + "}}"));
        var e = Assert.Throws<RuntimeError>(() => SeccompFilter.Build(spec.Linux!.Seccomp!, new RecordingBackend()));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Notify_filter_returns_its_fd()
    {
        var s = Profile("SCMP_ACT_ALLOW", Call("SCMP_ACT_NOTIFY", "mkdir"));
        s.ListenerPath = "/run/agent.sock";
        var b = new RecordingBackend();
        Assert.Equal(42, SeccompFilter.ApplyWithListener(s, b));
        Assert.True(b.Loaded);
        Assert.Null(SeccompFilter.ApplyWithListener(Profile("SCMP_ACT_ALLOW", Call("SCMP_ACT_ERRNO", "mkdir")), new RecordingBackend()));
    }

    [Fact]
    public void Null_profile_loads_nothing()
    {
        var b = new RecordingBackend();
        Assert.Null(SeccompFilter.ApplyWithListener(null, b));
        Assert.False(b.Loaded);
    }
}
