using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Seccomp;

/// <summary>features.linux.seccomp: what this build's libseccomp mapping accepts.</summary>
public static class SeccompFeatureList
{
    public static SeccompFeatures Get() => new()
    {
        Enabled = true,
        Actions = [.. SeccompActions.Names],
        Operators = [.. SeccompOps.Names],
        Archs = [.. SeccompArchs.Names],
        KnownFlags = [.. SeccompFlags.Known],
        SupportedFlags = [.. SeccompFlags.Supported],
    };
}
