namespace Rdmarun.Engine.Init;

/// <summary>What this kernel supports (names and numbers live in Rdmarun.OciSpec.Capabilities).</summary>
public static class KernelCaps
{
    /// <summary>The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    public static int LastCap()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim()); }
        catch (Exception) { return Rdmarun.OciSpec.Capabilities.LastCap; }
    }
}
