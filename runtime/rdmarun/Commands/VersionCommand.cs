namespace Rdmarun.Cli.Commands;

/// <summary>--version, in runc's layout.</summary>
public static class VersionCommand
{
    public static void Print()
    {
        Console.WriteLine($"rdmarun version {Program.Version}");
        Console.WriteLine($"spec: {OciSpec.SpecVersion.Current}");
        Console.WriteLine($"libseccomp: {Engine.Native.Seccomp.Version()}");
    }
}
