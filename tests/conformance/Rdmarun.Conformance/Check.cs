namespace Rdmarun.Conformance;

/// <summary>Assertions that fail the current case with "what: expected X, got Y".</summary>
static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new CaseFailedException($"{what}: expected {Show(expected)}, got {Show(actual)}");
    }

    public static void NotEqual<T>(T unexpected, T actual, string what)
    {
        if (EqualityComparer<T>.Default.Equals(unexpected, actual))
            throw new CaseFailedException($"{what}: expected anything but {Show(unexpected)}");
    }

    public static void True(bool condition, string what)
    {
        if (!condition)
            throw new CaseFailedException(what);
    }

    public static void Succeeded(ProcResult r, string what)
    {
        if (r.ExitCode != 0)
            throw new CaseFailedException($"{what}: {r.Describe()}");
    }

    public static void Failed(ProcResult r, string what)
    {
        if (r.ExitCode == 0)
            throw new CaseFailedException($"{what}: succeeded but should have failed");
        if (r.TimedOut)
            throw new CaseFailedException($"{what}: timed out instead of failing");
    }

    static string Show<T>(T v) => v switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => v.ToString() ?? "",
    };
}
