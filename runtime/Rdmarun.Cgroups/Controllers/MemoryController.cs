using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Controllers;

/// <summary>
/// linux.resources.memory → memory.* files. memory.kernel is deprecated upstream and ignored (kernels
/// since 5.16 no longer enforce it); kernelTCP still works on v1 (memory.kmem.tcp.limit_in_bytes) and
/// has no v2 file.
/// </summary>
public static class MemoryController
{
    public static bool Requested(LinuxMemory? m) =>
        m is not null && (m.Limit is not null || m.Reservation is not null || m.Swap is not null
            || m.Swappiness is not null || m.DisableOOMKiller == true || m.KernelTCP is not null);

    public static void SetV1(string dir, LinuxMemory m)
    {
        long limit = m.Limit ?? 0, swap = m.Swap ?? 0;
        if (swap != 0 && !CgroupFile.Exists(dir, "memory.memsw.limit_in_bytes"))
            throw new CgroupException($"cgroup: linux.resources.memory.swap set but swap accounting is not enabled ({dir}/memory.memsw.limit_in_bytes missing)");
        if (limit != 0 && swap != 0)
        {
            // memory.limit_in_bytes may never exceed memsw.limit_in_bytes: when raising, move memsw
            // first; when lowering, move the memory limit first.
            var currentSwap = CgroupFile.TryRead(dir, "memory.memsw.limit_in_bytes")?.Trim();
            bool raising = swap == -1 || (long.TryParse(currentSwap, out var cur) && (ulong)swap > (ulong)cur);
            if (raising)
            {
                CgroupFile.Write(dir, "memory.memsw.limit_in_bytes", swap.ToString());
                CgroupFile.Write(dir, "memory.limit_in_bytes", limit.ToString());
            }
            else
            {
                CgroupFile.Write(dir, "memory.limit_in_bytes", limit.ToString());
                CgroupFile.Write(dir, "memory.memsw.limit_in_bytes", swap.ToString());
            }
        }
        else if (limit != 0) CgroupFile.Write(dir, "memory.limit_in_bytes", limit.ToString());
        else if (swap != 0) CgroupFile.Write(dir, "memory.memsw.limit_in_bytes", swap.ToString());

        if (m.Reservation is { } res && res != 0) CgroupFile.Write(dir, "memory.soft_limit_in_bytes", res.ToString());
        if (m.Swappiness is { } sw)
        {
            if (sw > 100) throw new CgroupException($"cgroup: invalid linux.resources.memory.swappiness {sw}: must be 0..100");
            CgroupFile.Write(dir, "memory.swappiness", sw.ToString());
        }
        if (m.DisableOOMKiller == true) CgroupFile.Write(dir, "memory.oom_control", "1");
        if (m.KernelTCP is { } tcp && tcp != 0)
        {
            if (!CgroupFile.Exists(dir, "memory.kmem.tcp.limit_in_bytes"))
                throw new CgroupException($"cgroup: linux.resources.memory.kernelTCP set but kernel memory accounting is off ({dir}/memory.kmem.tcp.limit_in_bytes missing)");
            CgroupFile.Write(dir, "memory.kmem.tcp.limit_in_bytes", tcp.ToString());
        }
    }

    public static void SetV2(string dir, LinuxMemory m)
    {
        long limit = m.Limit ?? 0;
        long swapMax = SwapToV2(m.Swap ?? 0, limit);
        // swap == limit means "no swap": runc writes 0 for that case rather than leaving it unset.
        string? swapStr = swapMax == 0 && (m.Swap ?? 0) > 0 ? "0" : NumOrMax(swapMax);
        // Swap first: when lowering both, memory.max must not leave more swap than allowed meanwhile.
        if (swapStr is not null) CgroupFile.Write(dir, "memory.swap.max", swapStr);
        if (NumOrMax(limit) is { } l) CgroupFile.Write(dir, "memory.max", l);
        if (NumOrMax(m.Reservation ?? 0) is { } low) CgroupFile.Write(dir, "memory.low", low);
        // swappiness and disableOOMKiller have no cgroup v2 files; runc ignores them there too.
    }

    /// <summary>OCI swap is memory+swap; memory.swap.max is swap alone (runc's conversion). 0 = unset, -1 = max.</summary>
    public static long SwapToV2(long swap, long memory)
    {
        if (memory == -1 && swap == 0) return -1;
        if (swap == -1 || swap == 0) return swap;
        if (memory == 0 || memory == -1)
            throw new CgroupException("cgroup: linux.resources.memory.swap needs a memory limit on cgroup v2");
        if (memory < 0) throw new CgroupException($"cgroup: invalid linux.resources.memory.limit {memory}");
        if (swap < memory)
            throw new CgroupException($"cgroup: linux.resources.memory.swap ({swap}) must be >= memory.limit ({memory}): it counts memory plus swap");
        return swap - memory;
    }

    /// <summary>0 → not set, negative → "max".</summary>
    internal static string? NumOrMax(long v) => v == 0 ? null : v < 0 ? "max" : v.ToString();
}
