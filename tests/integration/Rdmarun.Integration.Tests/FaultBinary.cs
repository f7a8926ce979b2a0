namespace Rdmarun.Integration.Tests;

/// <summary>
/// The fault-point build of rdmarun (`scripts/build.sh --faults`, passed in as RDMARUN_FAULTS_BIN
/// by scripts/test.sh): it SIGKILLs itself at the lifecycle point named by RDMARUN_TEST_FAULT.
/// </summary>
public static class FaultBinary
{
    public static string? Path { get; } = Find();

    public const string Missing = "RDMARUN_FAULTS_BIN is not set to the fault-point build (scripts/build.sh --faults; scripts/test.sh sets it)";

    private static string? Find()
    {
        var p = Environment.GetEnvironmentVariable("RDMARUN_FAULTS_BIN");
        return !string.IsNullOrEmpty(p) && File.Exists(p) ? p : null;
    }

    /// <summary>A runtime on the bundle's --root that runs the fault build.</summary>
    public static Rdmarun For(Bundle b) => new(b.Runtime.Root, Path ?? throw new InvalidOperationException(Missing));

    public static Dictionary<string, string> At(string point) => new() { ["RDMARUN_TEST_FAULT"] = point };
}

/// <summary>A theory that is skipped, saying why, when the fault-point build is absent.</summary>
public sealed class FaultTheoryAttribute : TheoryAttribute
{
    public FaultTheoryAttribute() { if (FaultBinary.Path is null) Skip = FaultBinary.Missing; }
}

/// <summary>A fact that is skipped, saying why, when the fault-point build is absent.</summary>
public sealed class FaultFactAttribute : FactAttribute
{
    public FaultFactAttribute() { if (FaultBinary.Path is null) Skip = FaultBinary.Missing; }
}
