using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>linux.resources.hugepageLimits → hugetlb.&lt;size&gt;.limit_in_bytes (v1) / .max (v2), plus the rsvd variant where the kernel has it.</summary>
public static class HugetlbController
{
    public static bool Requested(List<LinuxHugepageLimit>? l) => l is { Count: > 0 };

    public static void SetV1(string dir, List<LinuxHugepageLimit> limits) => Set(dir, limits, "limit_in_bytes");

    public static void SetV2(string dir, List<LinuxHugepageLimit> limits) => Set(dir, limits, "max");

    private static void Set(string dir, List<LinuxHugepageLimit> limits, string suffix)
    {
        foreach (var l in limits)
        {
            var file = $"hugetlb.{l.Pagesize}.{suffix}";
            if (l.Pagesize.Contains('/') || !CgroupFile.Exists(dir, file))
                throw new CgroupException($"cgroup: hugetlb page size \"{l.Pagesize}\" not supported: {dir}/{file} does not exist");
            CgroupFile.Write(dir, file, l.Limit.ToString());
            // Reservations (kernel 5.7+) also bound hugepages reserved by mmap but not yet faulted in.
            var rsvd = $"hugetlb.{l.Pagesize}.rsvd.{suffix}";
            if (CgroupFile.Exists(dir, rsvd)) CgroupFile.Write(dir, rsvd, l.Limit.ToString());
        }
    }
}
