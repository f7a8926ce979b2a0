namespace Rdmarun.OciSpec;

/// <summary>Spec versions rdmarun reads and writes.</summary>
public static class SpecVersion
{
    /// <summary>Written into new configs and state; reported as <c>ociVersionMax</c>.</summary>
    public const string Current = "1.2.1";
    /// <summary>Oldest accepted; reported as <c>ociVersionMin</c>.</summary>
    public const string Min = "1.0.0";

    /// <summary>True for any 1.x version string (<c>1.0.2-dev</c>, <c>1.2.0</c>...), as runc accepts.</summary>
    public static bool IsSupported(string version)
    {
        // major.minor.patch with optional pre-release/build suffix; only major 1 is compatible.
        var core = version.Split('-', '+')[0].Split('.');
        if (core.Length < 2 || core.Length > 3) return false;
        foreach (var part in core)
            if (part.Length == 0 || !part.All(char.IsAsciiDigit)) return false;
        return core[0] == "1";
    }
}
