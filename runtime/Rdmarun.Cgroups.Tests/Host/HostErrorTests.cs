using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Tests.Host;

public class HostRdmaTests
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
}
