using Rdmarun.Cgroups.Devices;
using Rdmarun.OciSpec;
using I = Rdmarun.Cgroups.Devices.BpfInstruction;

namespace Rdmarun.Cgroups.Tests.Unit;

public class DeviceFilterTests
{
    private static readonly I[] Prologue =
    [
        I.LoadWord(2, 1, 0), I.And32(2, 0xffff), I.LoadWord(3, 1, 0), I.Rsh32(3, 16), I.LoadWord(4, 1, 4), I.LoadWord(5, 1, 8),
    ];

    [Fact]
    public void Small_rule_set_compiles_to_last_match_first_blocks_and_default_deny()
    {
        var prog = DeviceFilter.Compile(
        [
            new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 231, Access = "rw" },
        ]);
        I[] expected =
        [
            .. Prologue,
            // c 231:* rw (the last rule is checked first)
            I.JumpIfNotEqual(2, DeviceFilter.DevChar, 6),
            I.Mov32Reg(1, 3), I.And32(1, DeviceFilter.AccRead | DeviceFilter.AccWrite), I.JumpIfNotEqualReg(1, 3, 3),
            I.JumpIfNotEqual(4, 231, 2),
            I.Mov32(0, 1), I.Return(),
            // c 1:3 rwm
            I.JumpIfNotEqual(2, DeviceFilter.DevChar, 4), I.JumpIfNotEqual(4, 1, 3), I.JumpIfNotEqual(5, 3, 2),
            I.Mov32(0, 1), I.Return(),
            // default: deny
            I.Mov32(0, 0), I.Return(),
        ];
        Assert.Equal(expected, prog);
    }

    [Fact]
    public void Every_jump_lands_on_the_next_block()
    {
        var prog = DeviceFilter.Compile([new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 8, Access = "r" }]);
        var jumps = prog.Select((insn, pc) => (insn, pc)).Where(x => x.insn.Code is I.JneK or I.JneX).ToList();
        Assert.Equal(3, jumps.Count);
        Assert.All(jumps, j => Assert.Equal(prog.Count - 2, j.pc + 1 + j.insn.Offset));
        Assert.Equal(I.JumpIfNotEqual(2, DeviceFilter.DevBlock, 6), prog[6]);
    }

    [Fact]
    public void Allow_all_wildcard_followed_by_a_deny_defaults_to_allow()
    {
        var prog = DeviceFilter.Compile([
            new LinuxDeviceCgroup { Allow = true, Type = "a" },
            new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 3, Access = "w" },
        ]);
        Assert.Equal([.. Prologue,
            I.JumpIfNotEqual(2, DeviceFilter.DevChar, 7), I.Mov32Reg(1, 3), I.And32(1, DeviceFilter.AccWrite), I.JumpIfNotEqualReg(1, 3, 4),
            I.JumpIfNotEqual(4, 1, 3), I.JumpIfNotEqual(5, 3, 2), I.Mov32(0, 0), I.Return(),
            I.Mov32(0, 1), I.Return()], prog);
    }

    [Fact]
    public void A_later_wildcard_discards_earlier_rules()
    {
        var prog = DeviceFilter.Compile([
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3 },
            new LinuxDeviceCgroup { Allow = false },
        ]);
        Assert.Equal([.. Prologue, I.Mov32(0, 0), I.Return()], prog);
    }

    [Fact]
    public void Instructions_encode_as_struct_bpf_insn()
    {
        var bytes = I.Encode([I.LoadWord(2, 1, 4), I.JumpIfNotEqual(4, 231, -2), I.Return()]);
        Assert.Equal(new byte[]
        {
            0x61, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x55, 0x04, 0xfe, 0xff, 0xe7, 0x00, 0x00, 0x00,
            0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        }, bytes);
    }

    [Theory]
    [InlineData("x", null, "cgroup: invalid device type \"x\" in linux.resources.devices: want a, c or b")]
    [InlineData("c", "rwx", "cgroup: invalid device access \"rwx\" in linux.resources.devices: want a combination of r, w, m")]
    public void Invalid_rules_are_rejected(string type, string? access, string message)
    {
        var e = Assert.Throws<CgroupException>(() => DeviceFilter.Compile([new LinuxDeviceCgroup { Allow = true, Type = type, Access = access }]));
        Assert.Equal(message, e.Message);
    }
}
