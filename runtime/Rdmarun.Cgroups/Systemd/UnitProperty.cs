namespace Rdmarun.Cgroups.Systemd;

/// <summary>One systemd unit property for StartTransientUnit: a name and a D-Bus value of signature s, b, t or au.</summary>
public sealed record UnitProperty(string Name, string Signature, object Value)
{
    public static UnitProperty String(string name, string v) => new(name, "s", v);
    public static UnitProperty Bool(string name, bool v) => new(name, "b", v);
    public static UnitProperty UInt64(string name, ulong v) => new(name, "t", v);
    public static UnitProperty UInt32Array(string name, uint[] v) => new(name, "au", v);
}
