namespace Rdmarun.Rdma;

/// <summary>One slot of a port's P_Key table (sysfs ports/&lt;p&gt;/pkeys/&lt;idx&gt;).</summary>
public sealed record PkeyEntry(int Index, ushort Value)
{
    /// <summary>0x0000 (or 0x8000) marks an unused slot.</summary>
    public bool IsEmpty => (Value & 0x7fff) == 0;

    /// <summary>The high bit marks full membership; without it the member may talk only to full members.</summary>
    public bool IsFullMember => (Value & 0x8000) != 0;

    /// <summary>The 15-bit partition number shared by full and limited members.</summary>
    public ushort Partition => (ushort)(Value & 0x7fff);

    public override string ToString() => Pkey.Format(Value);
}
