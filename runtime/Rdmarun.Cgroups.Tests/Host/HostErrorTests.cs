using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Host;

public class HostErrorTests
{
    [RootFact]
    public void Rdma_limits_are_written_or_refused_with_a_clear_message()
    {
        using var cg = new HostCgroup();
        cg.Manager.Apply(0);
        var res = new LinuxResources { Rdma = new() { ["rdmarun_nodev0"] = new LinuxRdma { HcaHandles = 1 } } };
        bool available = cg.Setup.V1Mounts.ContainsKey("rdma") || cg.Setup.UnifiedControllers().Contains("rdma");
        var e = Assert.Throws<CgroupException>(() => cg.Manager.Set(res));
        if (available)
            Assert.Contains("invalid argument", e.Message); // the controller exists; the kernel rejects the unknown device
        else
            Assert.Equal("cgroup: rdma controller not available on this host, cannot apply linux.resources.rdma", e.Message);
    }

    [RootFact]
    public void Kernel_refusals_carry_the_file_value_and_errno_text()
    {
        using var cg = new HostCgroup();
        cg.Manager.Apply(0);
        var dir = cg.Manager.Paths.TryGetValue("pids", out var p) ? p : cg.Manager.Paths[""];
        var e = Assert.Throws<CgroupException>(() => CgroupFile.Write(dir, "pids.max", "lots"));
        Assert.Equal($"cgroup: write lots to {dir}/pids.max: invalid argument", e.Message);
        Assert.Equal(22, e.Errno);
    }
}
