namespace Rdmarun.Cgroups.Devices;

/// <summary>One eBPF instruction, laid out as the kernel's struct bpf_insn (8 bytes).</summary>
/// <param name="Code">opcode: class | op | source.</param>
/// <param name="Dst">destination register (low nibble of the regs byte).</param>
/// <param name="Src">source register (high nibble).</param>
public readonly record struct BpfInstruction(byte Code, byte Dst, byte Src, short Offset, int Imm)
{
    // Opcode pieces from include/uapi/linux/bpf.h and bpf_common.h.
    public const byte LdxMemW = 0x01 | 0x60 | 0x00;     // BPF_LDX | BPF_MEM | BPF_W
    public const byte Alu32AndK = 0x04 | 0x50 | 0x00;   // BPF_ALU | BPF_AND | BPF_K
    public const byte Alu32RshK = 0x04 | 0x70 | 0x00;   // BPF_ALU | BPF_RSH | BPF_K
    public const byte Alu32MovK = 0x04 | 0xb0 | 0x00;   // BPF_ALU | BPF_MOV | BPF_K
    public const byte Alu32MovX = 0x04 | 0xb0 | 0x08;   // BPF_ALU | BPF_MOV | BPF_X
    public const byte JneK = 0x05 | 0x50 | 0x00;        // BPF_JMP | BPF_JNE | BPF_K
    public const byte JneX = 0x05 | 0x50 | 0x08;        // BPF_JMP | BPF_JNE | BPF_X
    public const byte Exit = 0x05 | 0x90;               // BPF_JMP | BPF_EXIT

    public static BpfInstruction LoadWord(byte dst, byte src, short offset) => new(LdxMemW, dst, src, offset, 0);
    public static BpfInstruction And32(byte dst, int imm) => new(Alu32AndK, dst, 0, 0, imm);
    public static BpfInstruction Rsh32(byte dst, int imm) => new(Alu32RshK, dst, 0, 0, imm);
    public static BpfInstruction Mov32(byte dst, int imm) => new(Alu32MovK, dst, 0, 0, imm);
    public static BpfInstruction Mov32Reg(byte dst, byte src) => new(Alu32MovX, dst, src, 0, 0);
    public static BpfInstruction JumpIfNotEqual(byte dst, int imm, short offset) => new(JneK, dst, 0, offset, imm);
    public static BpfInstruction JumpIfNotEqualReg(byte dst, byte src, short offset) => new(JneX, dst, src, offset, 0);
    public static BpfInstruction Return() => new(Exit, 0, 0, 0, 0);

    public void WriteTo(Span<byte> dest)
    {
        dest[0] = Code;
        dest[1] = (byte)((Src << 4) | (Dst & 0x0f));
        BitConverter.TryWriteBytes(dest[2..4], Offset);
        BitConverter.TryWriteBytes(dest[4..8], Imm);
    }

    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++) program[i].WriteTo(bytes.AsSpan(i * 8, 8));
        return bytes;
    }

    public override string ToString() => $"{Code:x2} dst=r{Dst} src=r{Src} off={Offset} imm={Imm}";
}
