namespace Rdmarun.Cgroups.Tests.Host;

/// <summary>A test that changes the host's real cgroups: runs only as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root") Skip = "needs root: creates real cgroups";
    }
}
