namespace Rdmarun.OciSpec.Tests;

public class StateAndFeaturesTests
{
    [Fact]
    public void State_is_printed_like_runc_state()
    {
        var state = new State
        {
            Version = "1.2.1", ID = "c1", Pid = 4242, Status = ContainerState.Running, Bundle = "/b",
            Rootfs = "/b/rootfs", Created = "2026-12-04T16:16:34.5903182Z", Owner = "",
        };
        // Member order and two-space indent of `runc state`.
        Assert.Equal("""
            {
              "ociVersion": "1.2.1",
              "id": "c1",
              "pid": 4242,
              "status": "running",
              "bundle": "/b",
              "rootfs": "/b/rootfs",
              "created": "2026-12-04T16:16:34.5903182Z",
              "owner": ""
            }
            """, SpecJson.Serialize(state));
    }

    [Fact]
    public void Stopped_state_still_has_pid_zero()
    {
        var state = new State { Version = "1.2.1", ID = "c1", Status = ContainerState.Stopped, Bundle = "/b" };
        Assert.Equal("""{"ociVersion":"1.2.1","id":"c1","pid":0,"status":"stopped","bundle":"/b"}""",
            System.Text.Encoding.UTF8.GetString(SpecJson.SerializeToUtf8(state)));
    }

    [Fact]
    public void Hook_state_from_stdin_parses_with_annotations()
    {
        var s = SpecJson.ParseState("""{"ociVersion":"1.0.2","id":"x","status":"created","pid":7,"bundle":"/b","annotations":{"a":"b"},"extra":1}"""u8);
        Assert.Equal(7, s.Pid);
        Assert.Equal("b", s.Annotations!["a"]);
        Assert.Contains("extra", s.Extra!.Keys);
    }

    [Fact]
    public void State_list_is_a_json_array()
    {
        var list = new List<State> { new() { Version = "1", ID = "a", Status = "running", Bundle = "/a" } };
        Assert.Equal("""[{"ociVersion":"1","id":"a","pid":0,"status":"running","bundle":"/a"}]""", SpecJson.Serialize(list));
    }

    [Theory]
    [InlineData(0L, "2026-12-04T16:16:34Z")]
    [InlineData(5_000_000L, "2026-12-04T16:16:34.5Z")]
    [InlineData(5_903_182L, "2026-12-04T16:16:34.5903182Z")]
    [InlineData(1L, "2026-12-04T16:16:34.0000001Z")]
    public void Rfc3339Nano_trims_trailing_zeros_like_go(long ticks, string expected)
    {
        var t = new DateTimeOffset(2026, 12, 4, 16, 16, 34, TimeSpan.Zero).AddTicks(ticks);
        Assert.Equal(expected, Rfc3339Nano.Format(t));
    }

    [Fact]
    public void Rfc3339Nano_keeps_non_utc_offsets()
    {
        var t = new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal("2026-12-04T18:00:00+02:00", Rfc3339Nano.Format(t));
    }

    [Fact]
    public void Features_document_serializes_only_what_is_set()
    {
        var f = new Features
        {
            OCIVersionMin = SpecVersion.Min,
            OCIVersionMax = SpecVersion.Current,
            Hooks = [.. HookNames.All],
            MountOptions = ["bind", "rbind"],
            Linux = new LinuxFeatures
            {
                Namespaces = [.. LinuxNamespaceType.All],
                Capabilities = [.. Capabilities.Names],
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, Rdma = true },
                Seccomp = new SeccompFeatures { Enabled = true, Actions = [.. SeccompNames.Actions] },
                MountExtensions = new MountExtensionsFeatures { IDMap = new IDMapFeatures { Enabled = false } },
            },
            Annotations = new() { ["io.github.seccomp.libseccomp.version"] = "2.5.4" },
        };
        var node = Fixtures.Node(SpecJson.Serialize(f));
        Assert.Equal("1.0.0", (string?)node["ociVersionMin"]);
        Assert.Equal(6, node["hooks"]!.AsArray().Count);
        Assert.Equal(41, node["linux"]!["capabilities"]!.AsArray().Count);
        Assert.True((bool)node["linux"]!["cgroup"]!["rdma"]!);
        Assert.False((bool)node["linux"]!["cgroup"]!["systemd"]!);
        Assert.Null(node["linux"]!["cgroup"]!["systemdUser"]);
        Assert.Null(node["linux"]!["apparmor"]);
        Assert.False((bool)node["linux"]!["mountExtensions"]!["idmap"]!["enabled"]!);
        Assert.StartsWith("{\n  \"ociVersionMin\"", SpecJson.Serialize(f));
    }

    [Fact]
    public void Runc_features_output_round_trips()
    {
        // Shape of `runc features` (runc 1.1.5 prints nothing for this verb; this is runc 1.2's layout).
        byte[] json = """
        {"ociVersionMin":"1.0.0","ociVersionMax":"1.2.0","hooks":["prestart","createRuntime"],"mountOptions":["async","bind"],
         "linux":{"namespaces":["cgroup","ipc"],"capabilities":["CAP_CHOWN"],"cgroup":{"v1":true,"v2":true,"systemd":true,"systemdUser":true,"rdma":true},
          "seccomp":{"enabled":true,"actions":["SCMP_ACT_ALLOW"],"operators":["SCMP_CMP_EQ"],"archs":["SCMP_ARCH_X86_64"],"knownFlags":["SECCOMP_FILTER_FLAG_LOG"],"supportedFlags":["SECCOMP_FILTER_FLAG_LOG"]},
          "apparmor":{"enabled":true},"selinux":{"enabled":true},"intelRdt":{"enabled":true},"mountExtensions":{"idmap":{"enabled":true}}},
         "annotations":{"io.github.seccomp.libseccomp.version":"2.5.4","org.opencontainers.runc.commit":"v1.2.0"},
         "potentiallyUnsafeConfigAnnotations":["bundle","org.systemd.property."]}
        """u8.ToArray();
        var f = SpecJson.ParseFeatures(json);
        Assert.True(f.Linux!.Cgroup!.Rdma);
        Assert.Equal(["bundle", "org.systemd.property."], f.PotentiallyUnsafeConfigAnnotations!);
        Fixtures.AssertSameJson(Fixtures.Node(json), Fixtures.Node(SpecJson.Serialize(f)));
    }

    [Fact]
    public void Container_process_state_for_seccomp_listeners()
    {
        var cps = new ContainerProcessState
        {
            Version = "1.2.1", Fds = [ContainerProcessState.SeccompFdName], Pid = 9, Metadata = "m",
            State = new State { Version = "1.2.1", ID = "c", Status = "creating", Pid = 9, Bundle = "/b" },
        };
        Assert.Equal("""{"ociVersion":"1.2.1","fds":["seccompFd"],"pid":9,"metadata":"m","state":{"ociVersion":"1.2.1","id":"c","pid":9,"status":"creating","bundle":"/b"}}""",
            System.Text.Encoding.UTF8.GetString(SpecJson.SerializeToUtf8(cps)));
    }
}
