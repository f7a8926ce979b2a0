using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>Applies the five capability sets of process.capabilities.</summary>
public static unsafe class CapabilitySets
{
    private const uint Version3 = 0x20080522;

    /// <summary>Bit masks of the spec's sets; unknown names (newer than this kernel or runtime) are skipped as runc does.</summary>
    public sealed record Sets(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient);

    public static Sets FromSpec(LinuxCapabilities? caps)
    {
        int last = KernelCaps.LastCap();
        ulong Mask(List<string>? names)
        {
            ulong m = 0;
            foreach (var n in names ?? [])
            {
                if (Rdmarun.OciSpec.Capabilities.TryGetNumber(n, out int i) && i <= last) m |= 1UL << i;
            }
            return m;
        }
        return new Sets(Mask(caps?.Bounding), Mask(caps?.Effective), Mask(caps?.Permitted), Mask(caps?.Inheritable), Mask(caps?.Ambient));
    }

    /// <summary>
    /// Fails while create can still report it (as runc does) when the permitted or effective set
    /// asks for a capability this process does not hold, e.g. `docker run --privileged` under a
    /// caller whose bounding set lacks one: capset would refuse it only after start, where the
    /// container's stderr is the only place left to say so.
    /// </summary>
    public static void CheckHeld(Sets s)
    {
        var hdr = new Libc.CapHeader { Version = Version3, Pid = 0 };
        var data = stackalloc Libc.CapData[2];
        SyscallException.Check(Libc.capget(&hdr, data), "capget");
        ulong held = data[0].Permitted | ((ulong)data[1].Permitted << 32);
        ulong missing = (s.Permitted | s.Effective) & ~held;
        if (missing == 0) return;
        var names = Enumerable.Range(0, 64).Where(i => (missing & (1UL << i)) != 0).Select(i => Rdmarun.OciSpec.Capabilities.Names[i]);
        throw new RuntimeError($"process.capabilities: {string.Join(", ", names)} not held by rdmarun (not in its caller's bounding set), so the container cannot get them");
    }

    /// <summary>Drops what is not in the bounding set; needs CAP_SETPCAP, so before changing uid.</summary>
    public static void ApplyBounding(Sets s)
    {
        int last = KernelCaps.LastCap();
        for (int i = 0; i <= last; i++)
        {
            if ((s.Bounding & (1UL << i)) != 0) continue;
            if (Libc.prctl(PR_CAPBSET_DROP, (nuint)i, 0, 0, 0) < 0 && Libc.Errno != EINVAL)
                throw new SyscallException($"drop {Rdmarun.OciSpec.Capabilities.Names[i]} from the bounding set", Libc.Errno);
        }
    }

    /// <summary>
    /// Sets effective, permitted and inheritable, then the ambient set (which needs them in place).
    /// The inheritable set is exactly the spec's, empty when it lists none, never what the caller
    /// of rdmarun had nor the bounding set: an inheritable capability lets a file with inheritable
    /// file capabilities (or a setcap'd binary in the image) regain it after execve even for a
    /// non-root user (CVE-2022-29162).
    /// </summary>
    public static void Apply(Sets s)
    {
        CapHeaderAndData(s);
        if (Libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && Libc.Errno != EINVAL)
            throw new SyscallException("clear the ambient capability set", Libc.Errno);
        for (int i = 0; i < 64; i++)
        {
            if ((s.Ambient & (1UL << i)) == 0) continue;
            // runc ignores a failure to raise an ambient capability that is not permitted+inheritable.
            Libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (nuint)i, 0, 0);
        }
    }

    private static void CapHeaderAndData(Sets s)
    {
        var hdr = new Libc.CapHeader { Version = Version3, Pid = 0 };
        var data = stackalloc Libc.CapData[2];
        data[0] = new Libc.CapData { Effective = (uint)s.Effective, Permitted = (uint)s.Permitted, Inheritable = (uint)s.Inheritable };
        data[1] = new Libc.CapData { Effective = (uint)(s.Effective >> 32), Permitted = (uint)(s.Permitted >> 32), Inheritable = (uint)(s.Inheritable >> 32) };
        SyscallException.Check(Libc.capset(&hdr, data), "capset");
    }
}
