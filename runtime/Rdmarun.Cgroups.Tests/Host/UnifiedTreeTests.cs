using System.Diagnostics;
using Process = System.Diagnostics.Process;
using Rdmarun.Cgroups.Devices;
using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Host;

/// <summary>
/// cgroup2 behaviour on this host's cgroup2 mount (/sys/fs/cgroup/unified on a hybrid host, the root
/// on a pure v2 host): device eBPF programs, cgroup.freeze, cgroup.kill, unified files.
/// </summary>
public sealed class UnifiedTreeTests : IDisposable
{
    private readonly FsV2Manager _m;
    private readonly List<Process> _children = [];

    public UnifiedTreeTests()
    {
        var mount = CgroupSetup.Detect().UnifiedMount?.MountPoint ?? throw new InvalidOperationException("no cgroup2 mount on this host");
        _m = new FsV2Manager($"{mount}/rdmarun-test-{Guid.NewGuid().ToString("N")[..12]}", mountPoint: null, rootless: false);
    }

    public void Dispose()
    {
        try { if (_m.Exists()) _m.Kill(9); } catch (CgroupException) { }
        foreach (var p in _children) { if (!p.HasExited) p.Kill(); p.WaitForExit(5000); p.Dispose(); }
        _m.Destroy();
    }

    private Process StartInCgroup(string script)
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("read go; " + script);
        var p = Process.Start(psi)!;
        _children.Add(p);
        _m.Apply(p.Id);
        return p;
    }

    private static (string Out, string Err) Run(Process p)
    {
        p.StandardInput.WriteLine("go");
        p.StandardInput.Flush();
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (output.Trim(), err);
    }

    private const string DeviceProbe =
        "echo zero=$(head -c 3 /dev/zero | wc -c); if cat /dev/null; then echo null=ok; else echo null=denied; fi";

    private static readonly LinuxDeviceCgroup DenyAll = new() { Allow = false, Access = "rwm" };
    private static readonly LinuxDeviceCgroup AllowZero = new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" };
    private static readonly LinuxDeviceCgroup AllowNull = new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" };

    [RootFact]
    public void Device_program_denies_devices_not_allowed()
    {
        _m.Apply(0);
        _m.Set(new LinuxResources { Devices = [DenyAll, AllowZero] });
        var (output, err) = Run(StartInCgroup(DeviceProbe));
        Assert.Equal("zero=3\nnull=denied", output);
        Assert.Contains("/dev/null", err);
        Assert.Contains("Operation not permitted", err);
        Assert.Single(BpfDeviceProgram.QueryAttached(_m.Dir));
    }

    [RootFact]
    public void Updating_devices_replaces_the_program_and_takes_effect()
    {
        _m.Apply(0);
        _m.Set(new LinuxResources { Devices = [DenyAll, AllowZero] });
        var first = BpfDeviceProgram.QueryAttached(_m.Dir);
        _m.Set(new LinuxResources { Devices = [DenyAll, AllowZero, AllowNull] });
        var second = BpfDeviceProgram.QueryAttached(_m.Dir);
        Assert.Single(second);
        Assert.NotEqual(first, second);
        Assert.Equal("zero=3\nnull=ok", Run(StartInCgroup(DeviceProbe)).Out);
    }

    [RootFact]
    public void Last_matching_rule_wins_in_the_device_program()
    {
        _m.Apply(0);
        // Allow all char devices with major 1, then deny writes... to /dev/null only: reading stays allowed.
        _m.Set(new LinuxResources { Devices = [DenyAll, new() { Allow = true, Type = "c", Major = 1, Access = "rwm" }, new() { Allow = false, Type = "c", Major = 1, Minor = 3, Access = "w" }] });
        var (output, err) = Run(StartInCgroup("cat /dev/null && echo read=ok; echo x > /dev/null && echo write=ok || echo write=denied"));
        Assert.Equal("read=ok\nwrite=denied", output);
        Assert.Contains("/dev/null", err);
    }

    [RootFact]
    public void Freeze_thaw_and_cgroup_kill()
    {
        var p = StartInCgroup("sleep 300");
        Assert.Equal([p.Id], _m.GetPids());
        _m.Freeze();
        Assert.Equal(FreezerState.Frozen, _m.GetFreezerState());
        Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(_m.Dir, "cgroup.events")));
        _m.Thaw();
        Assert.Equal(FreezerState.Thawed, _m.GetFreezerState());
        _m.Kill(9);
        Assert.True(p.WaitForExit(5000));
        Assert.Equal(137, p.ExitCode);
        _m.Destroy();
        Assert.False(_m.Exists());
    }

    [RootFact]
    public void Unified_map_writes_existing_files_and_names_missing_ones()
    {
        _m.Apply(0);
        _m.Set(new LinuxResources { Unified = new() { ["cgroup.max.depth"] = "3" } });
        Assert.Equal("3", File.ReadAllText(Path.Combine(_m.Dir, "cgroup.max.depth")).Trim());
        var e = Assert.Throws<CgroupException>(() => _m.Set(new LinuxResources { Unified = new() { ["foo.bar"] = "1" } }));
        Assert.Equal($"cgroup: unified resource \"foo.bar\": no such file in {_m.Dir}", e.Message);
    }
}
