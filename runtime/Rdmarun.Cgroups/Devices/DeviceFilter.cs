using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Devices;

/// <summary>
/// Compiles linux.resources.devices into a BPF_PROG_TYPE_CGROUP_DEVICE program with the v1 device
/// cgroup's meaning: default deny, and the last rule that matches an access decides.
/// </summary>
/// <remarks>
/// The program reads struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }, where
/// access_type = (BPF_DEVCG_ACC_* &lt;&lt; 16) | BPF_DEVCG_DEV_*. Rules are emitted last-first and each
/// returns on match, so the first block that matches is the spec's last matching rule.
/// </remarks>
public static class DeviceFilter
{
    public const int DevBlock = 1, DevChar = 2;           // BPF_DEVCG_DEV_*
    public const int AccMknod = 1, AccRead = 2, AccWrite = 4; // BPF_DEVCG_ACC_*
    private const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    public static List<BpfInstruction> Compile(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        // A wildcard rule ("a", or all types with all access) replaces everything before it and sets
        // the default, exactly as writing "a" to devices.allow/deny resets a v1 cgroup.
        bool defaultAllow = false;
        var effective = new List<LinuxDeviceCgroup>();
        foreach (var r in rules)
        {
            Validate(r);
            if (IsWildcard(r)) { defaultAllow = r.Allow; effective.Clear(); continue; }
            effective.Add(r);
        }

        var prog = new List<BpfInstruction>
        {
            BpfInstruction.LoadWord(R2, R1, 0), BpfInstruction.And32(R2, 0xffff), // r2 = device type
            BpfInstruction.LoadWord(R3, R1, 0), BpfInstruction.Rsh32(R3, 16),     // r3 = requested access
            BpfInstruction.LoadWord(R4, R1, 4),                                   // r4 = major
            BpfInstruction.LoadWord(R5, R1, 8),                                   // r5 = minor
        };
        for (int i = effective.Count - 1; i >= 0; i--)
            prog.AddRange(Block(effective[i]));
        prog.Add(BpfInstruction.Mov32(R0, defaultAllow ? 1 : 0));
        prog.Add(BpfInstruction.Return());
        return prog;
    }

    private static List<BpfInstruction> Block(LinuxDeviceCgroup r)
    {
        // Jump offsets are filled in once the block length is known: every "no match" jumps past the block.
        var checks = new List<(BpfInstruction insn, bool jumps)>();
        if (!string.IsNullOrEmpty(r.Type) && r.Type != "a")
            checks.Add((BpfInstruction.JumpIfNotEqual(R2, r.Type == "b" ? DevBlock : DevChar, 0), true));
        int mask = AccessMask(r.Access);
        if (mask != (AccMknod | AccRead | AccWrite))
        {
            // Match only if every requested access bit is in the rule: (r3 & mask) == r3.
            checks.Add((BpfInstruction.Mov32Reg(R1, R3), false));
            checks.Add((BpfInstruction.And32(R1, mask), false));
            checks.Add((BpfInstruction.JumpIfNotEqualReg(R1, R3, 0), true));
        }
        if (r.Major is { } major && major >= 0) checks.Add((BpfInstruction.JumpIfNotEqual(R4, checked((int)major), 0), true));
        if (r.Minor is { } minor && minor >= 0) checks.Add((BpfInstruction.JumpIfNotEqual(R5, checked((int)minor), 0), true));

        int length = checks.Count + 2;
        var block = new List<BpfInstruction>(length);
        for (int i = 0; i < checks.Count; i++)
        {
            var (insn, jumps) = checks[i];
            block.Add(jumps ? insn with { Offset = (short)(length - (i + 1)) } : insn);
        }
        block.Add(BpfInstruction.Mov32(R0, r.Allow ? 1 : 0));
        block.Add(BpfInstruction.Return());
        return block;
    }

    private static bool IsWildcard(LinuxDeviceCgroup r) =>
        string.IsNullOrEmpty(r.Type) || r.Type == "a";

    private static int AccessMask(string? access)
    {
        if (string.IsNullOrEmpty(access)) return AccMknod | AccRead | AccWrite;
        int mask = 0;
        foreach (var ch in access)
            mask |= ch switch { 'r' => AccRead, 'w' => AccWrite, 'm' => AccMknod, _ => 0 };
        return mask;
    }

    private static void Validate(LinuxDeviceCgroup r)
    {
        if (!string.IsNullOrEmpty(r.Type) && r.Type is not ("a" or "b" or "c"))
            throw new CgroupException($"cgroup: invalid device type \"{r.Type}\" in linux.resources.devices: want a, c or b");
        if (r.Access is { } a && a.Any(ch => ch is not ('r' or 'w' or 'm')))
            throw new CgroupException($"cgroup: invalid device access \"{a}\" in linux.resources.devices: want a combination of r, w, m");
        if (r.Major > int.MaxValue || r.Minor > int.MaxValue)
            throw new CgroupException($"cgroup: device number {r.Major}:{r.Minor} out of range in linux.resources.devices");
    }
}
