using System.Text.Json.Nodes;

namespace Rdmarun.Conformance;

/// <summary>linux.resources limits, read from the host's view of the container's cgroup.</summary>
static class CgroupCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("cgroup-memory", "memory.limit lands in memory.limit_in_bytes (v1) or memory.max (v2)", Memory),
        new("cgroup-pids", "pids.limit lands in pids.max", Pids),
        new("cgroup-rdma", "rdma limits land in rdma.max", Rdma),
    ];

    static async Task<string> LimitFileContent(CaseContext c, Bundle b, string controller, string v1File, string v2File)
    {
        await c.NeedCgroupAsync(controller);
        string id = c.NewId();
        await c.StartedAsync(b, id);
        int pid = CaseContext.Pid(await c.WaitForStatusAsync(id, "running"));
        string path = HostInfo.CgroupFile(pid, controller, v1File, v2File)
            ?? throw new CaseSkippedException($"{controller} controller is not mounted for pid {pid} on this host");
        if (!File.Exists(path))
            throw new CaseFailedException($"{path} does not exist although pid {pid} is in that cgroup");
        return File.ReadAllText(path).Trim();
    }

    static async Task Memory(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        b.Resources["memory"] = new JsonObject { ["limit"] = 64L * 1024 * 1024 };
        Check.Equal("67108864", await LimitFileContent(c, b, "memory", "memory.limit_in_bytes", "memory.max"), "memory limit in the container's cgroup");
    }

    static async Task Pids(CaseContext c)
    {
        var b = await c.NewBundleAsync("quiet", "pause");
        b.Resources["pids"] = new JsonObject { ["limit"] = 42 };
        Check.Equal("42", await LimitFileContent(c, b, "pids", "pids.max", "pids.max"), "pids limit in the container's cgroup");
    }

    static async Task Rdma(CaseContext c)
    {
        if (!HostInfo.KernelHasController("rdma"))
            throw new CaseSkippedException("kernel has no rdma cgroup controller (/proc/cgroups)");
        var devices = Directory.Exists("/sys/class/infiniband") ? Directory.GetDirectories("/sys/class/infiniband") : [];
        if (devices.Length == 0)
            throw new CaseSkippedException("no rdma device in /sys/class/infiniband");
        string device = Path.GetFileName(devices[0]);
        var b = await c.NewBundleAsync("quiet", "pause");
        b.Resources["rdma"] = new JsonObject { [device] = new JsonObject { ["hcaHandles"] = 3, ["hcaObjects"] = 100 } };
        string content = await LimitFileContent(c, b, "rdma", "rdma.max", "rdma.max");
        Check.True(content.Split('\n').Contains($"{device} hca_handle=3 hca_object=100"), $"rdma.max lacks \"{device} hca_handle=3 hca_object=100\": {content}");
    }
}
