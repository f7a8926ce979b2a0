namespace Rdmarun.OciSpec.Validation;

/// <summary>Rules for <c>linux.resources</c> beyond devices, and other linux knobs (personality, intelRdt).</summary>
static class ResourceRules
{
    public static void CheckResources(LinuxResources r, string at, ProblemList p)
    {
        if (r.Rdma is { } rdma)
            foreach (var (dev, lim) in rdma)
            {
                string da = JPath.Member($"{at}.rdma", dev);
                // rdma.max lines are "<device> hca_handle=N hca_object=N": a blank or spaced name cannot be written.
                if (string.IsNullOrWhiteSpace(dev))
                    p.Error(da, "rdma device name must not be empty");
                else if (dev.Any(c => char.IsWhiteSpace(c) || c is '=' or '/'))
                    p.Error(da, $"invalid rdma device name {JPath.Q(dev)}");
                if (lim.HcaHandles is null && lim.HcaObjects is null)
                    p.Warn(da, "neither hcaHandles nor hcaObjects is set, nothing is limited");
                if (lim.HcaHandles > int.MaxValue)
                    p.Error($"{da}.hcaHandles", $"must be at most {int.MaxValue}, got {lim.HcaHandles}");
                if (lim.HcaObjects > int.MaxValue)
                    p.Error($"{da}.hcaObjects", $"must be at most {int.MaxValue}, got {lim.HcaObjects}");
            }

        if (r.HugepageLimits is { } hp)
            for (int i = 0; i < hp.Count; i++)
                if (string.IsNullOrEmpty(hp[i].Pagesize))
                    p.Error($"{JPath.Index($"{at}.hugepageLimits", i)}.pageSize", "missing: the page size is required");

        if (r.Memory is { Swappiness: > 100 } mem)
            p.Error($"{at}.memory.swappiness", $"must be between 0 and 100, got {mem.Swappiness}");

        if (r.CPU is { } cpu && cpu.Quota is > 0 && cpu.Period is 0)
            p.Error($"{at}.cpu.period", "must not be zero when a quota is set");

        if (r.BlockIO is { Weight: { } w } && w != 0 && (w < 10 || w > 1000))
            p.Error($"{at}.blockIO.weight", $"must be between 10 and 1000, got {w}");

        if (r.Unified is { } unified)
            foreach (var key in unified.Keys)
                if (key.Contains('/') || key is "." or ".." || key.Length == 0)
                    p.Error(JPath.Member($"{at}.unified", key), $"invalid cgroup file name {JPath.Q(key)}");
    }

    public static void CheckLinux(Linux linux, ProblemList p)
    {
        if (linux.Personality is { } pers && pers.Domain is not ("LINUX" or "LINUX32"))
            p.Error("$.linux.personality.domain", $"invalid personality domain {JPath.Q(pers.Domain)}, expected LINUX or LINUX32");

        if (linux.IntelRdt is { ClosID: { } clos } && (clos is "." or ".." || (clos.Length > 1 && clos.Contains('/'))))
            p.Error("$.linux.intelRdt.closID", $"invalid closID {JPath.Q(clos)}");
    }
}
