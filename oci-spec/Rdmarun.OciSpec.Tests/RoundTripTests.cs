namespace Rdmarun.OciSpec.Tests;

public class RoundTripTests
{
    [Theory]
    [InlineData("runc-spec-default.json")]
    [InlineData("runc-spec-rootless.json")]
    [InlineData("docker-like.json")]
    [InlineData("unknown-fields.json")]
    public void Fixture_survives_parse_and_serialize(string name)
    {
        byte[] original = Fixtures.Bytes(name);
        var spec = SpecJson.ParseSpec(original);
        string written = SpecJson.Serialize(spec);
        Fixtures.AssertSameJson(Fixtures.Node(original), Fixtures.Node(written));
        // And once more from our own output: the model must be a fixed point.
        Assert.Equal(written, SpecJson.Serialize(SpecJson.ParseSpec(System.Text.Encoding.UTF8.GetBytes(written))));
    }

    [Fact]
    public void Runc_default_is_written_byte_for_byte_like_runc()
    {
        // runc writes tab-indented JSON with a newline-free end; the same layout keeps diffs with runc's output empty.
        string runc = System.Text.Encoding.UTF8.GetString(Fixtures.Bytes("runc-spec-default.json"));
        Assert.Equal(runc, SpecJson.Serialize(SpecJson.ParseSpec(Fixtures.Bytes("runc-spec-default.json"))));
    }

    [Fact]
    public void Unknown_members_are_kept_at_every_level()
    {
        var spec = SpecJson.ParseSpec(Fixtures.Bytes("unknown-fields.json"));
        Assert.Contains("x-top-level", spec.Extra!.Keys);
        Assert.Contains("windows", spec.Extra.Keys);
        Assert.Contains("vm", spec.Extra.Keys);
        Assert.Equal("kept", spec.Process!.User.Extra!["x-user-extra"].GetString());
        Assert.Equal(42, spec.Process.Extra!["x-process-extra"].GetInt32());
        Assert.Contains("x-caps-extra", spec.Process.Capabilities!.Extra!.Keys);
        Assert.Contains("x-root-extra", spec.Root!.Extra!.Keys);
        Assert.Contains("x-mount-extra", spec.Mounts![0].Extra!.Keys);
        Assert.Contains("x-future-hook", spec.Hooks!.Extra!.Keys);
        Assert.Equal(1.5, spec.Hooks.Poststop![0].Extra!["x-hook-extra"].GetDouble());
        Assert.Contains("x-ns-extra", spec.Linux!.Namespaces![0].Extra!.Keys);
        Assert.Equal(7, spec.Linux.Resources!.Rdma!["mlx5_0"].Extra!["x-rdma-extra"].GetInt32());
        Assert.Contains("x-future-controller", spec.Linux.Resources.Extra!.Keys);
        Assert.Contains("x-arg-extra", spec.Linux.Seccomp!.Syscalls![0].Args![0].Extra!.Keys);
        Assert.Contains("x-linux-extra", spec.Linux.Extra!.Keys);
    }

    [Fact]
    public void Known_members_have_no_extra()
    {
        var spec = SpecJson.ParseSpec(Fixtures.Bytes("docker-like.json"));
        Assert.Null(spec.Extra);
        Assert.Null(spec.Process!.Extra);
        Assert.Null(spec.Linux!.Extra);
        Assert.Null(spec.Linux.Resources!.Extra);
    }

    [Fact]
    public void Docker_like_config_fills_the_typed_model()
    {
        var spec = SpecJson.ParseSpec(Fixtures.Bytes("docker-like.json"));
        var p = spec.Process!;
        Assert.Equal(1000u, p.User.UID);
        Assert.Equal(18u, p.User.Umask);
        Assert.Equal([10u, 27u], p.User.AdditionalGids!);
        Assert.Equal(ulong.MaxValue, p.Rlimits![0].Hard);
        Assert.Equal(-500, p.OomScoreAdj);
        Assert.Equal("SCHED_OTHER", p.Scheduler!.Policy);
        Assert.Equal(5, p.Scheduler.Nice);
        Assert.Equal(4, p.IOPriority!.Priority);
        Assert.False(p.Terminal);

        Assert.Equal(10, spec.Hooks!.CreateRuntime![0].Timeout);
        Assert.Null(spec.Hooks.Prestart![0].Timeout);
        Assert.Equal(100000u, spec.Mounts![3].UIDMappings![0].HostID);

        var r = spec.Linux!.Resources!;
        Assert.Equal(4u, r.Rdma!["mlx5_0"].HcaHandles);
        Assert.Equal(1000u, r.Rdma["mlx5_0"].HcaObjects);
        Assert.Null(r.Rdma["mlx5_1"].HcaObjects);
        Assert.Equal(4294967296L, r.Memory!.Limit);
        Assert.Equal(0UL, r.Memory.Swappiness);
        Assert.False(r.Memory.DisableOOMKiller);
        Assert.Null(r.Memory.Kernel);
        Assert.Equal(200000L, r.CPU!.Quota);
        Assert.Equal((ushort)300, r.BlockIO!.WeightDevice![0].Weight);
        Assert.Equal(8, r.BlockIO.WeightDevice[0].Major);
        Assert.Equal(104857600UL, r.BlockIO.ThrottleReadBpsDevice![0].Rate);
        Assert.Equal("2MB", r.HugepageLimits![0].Pagesize);
        Assert.Null(r.Devices![0].Major);
        Assert.Equal(231L, r.Devices[1].Major);
        Assert.Equal("3221225472", r.Unified!["memory.high"]);

        var l = spec.Linux;
        Assert.Equal("/var/run/netns/rdma0", l.Namespaces!.Single(n => n.Type == "network").Path);
        Assert.Equal(438u, l.Devices![0].FileMode);
        Assert.Equal(1u, l.Seccomp!.DefaultErrnoRet);
        Assert.Equal(38u, l.Seccomp.Syscalls![3].ErrnoRet);
        Assert.Equal(2114060288UL, l.Seccomp.Syscalls[2].Args![0].Value);
        Assert.Equal("SCMP_CMP_MASKED_EQ", l.Seccomp.Syscalls[2].Args![0].Op);
        Assert.Equal("LINUX", l.Personality!.Domain);
        Assert.Equal("68719476736", l.Sysctl!["kernel.shmmax"]);
    }

    [Fact]
    public void Member_names_match_case_insensitively_like_go()
    {
        // Go's encoding/json (and so runc) accepts "Args" for "args"; the written form is canonical.
        var spec = SpecJson.ParseSpec("""{"OciVersion":"1.0.0","Process":{"User":{"UID":5,"gid":0},"Args":["x"],"CWD":"/"}}"""u8);
        Assert.Equal("1.0.0", spec.Version);
        Assert.Equal(5u, spec.Process!.User.UID);
        Assert.Equal("/", spec.Process.Cwd);
        Assert.Equal("""{"ociVersion":"1.0.0","process":{"user":{"uid":5,"gid":0},"args":["x"],"cwd":"/"}}""",
            SpecJson.Serialize(spec, JsonLayout.Compact));
    }

    [Fact]
    public void Go_omitempty_defaults_are_not_written()
    {
        // Same as Go: false/0 of non-pointer omitempty fields disappear, pointer fields keep explicit zeros.
        var spec = SpecJson.ParseSpec("""{"ociVersion":"1.0.0","process":{"terminal":false,"noNewPrivileges":false,"user":{"uid":0,"gid":0},"cwd":"/","oomScoreAdj":0},"root":{"path":"r","readonly":false}}"""u8);
        Assert.Equal("""{"ociVersion":"1.0.0","process":{"user":{"uid":0,"gid":0},"cwd":"/","oomScoreAdj":0},"root":{"path":"r"}}""",
            SpecJson.Serialize(spec, JsonLayout.Compact));
    }

    [Fact]
    public void Non_ascii_and_plus_are_written_unescaped()
    {
        var spec = new Spec { Version = "1.2.1", Hostname = "héllo+<x>" };
        Assert.Equal("""{"ociVersion":"1.2.1","hostname":"héllo+<x>"}""", SpecJson.Serialize(spec, JsonLayout.Compact));
    }

    [Fact]
    public void Process_document_round_trips()
    {
        byte[] json = """{"terminal":true,"consoleSize":{"height":24,"width":80},"user":{"uid":1,"gid":2},"args":["ls","-l"],"env":["A=b"],"cwd":"/tmp","x-exec":1}"""u8.ToArray();
        var p = SpecJson.ParseProcess(json);
        Assert.Equal(80u, p.ConsoleSize!.Width);
        Fixtures.AssertSameJson(Fixtures.Node(json), Fixtures.Node(SpecJson.Serialize(p)));
    }

    [Fact]
    public void Clone_is_deep()
    {
        var spec = SpecJson.ParseSpec(Fixtures.Bytes("docker-like.json"));
        var copy = SpecJson.Clone(spec);
        copy.Process!.Args![0] = "changed";
        Assert.Equal("/usr/bin/ib_write_bw", spec.Process!.Args![0]);
        Assert.Equal(SpecJson.Serialize(spec), SpecJson.Serialize(SpecJson.Clone(spec)));
    }
}
