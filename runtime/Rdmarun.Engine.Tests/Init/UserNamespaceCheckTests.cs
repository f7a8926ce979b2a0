using Rdmarun.Engine.Init;

namespace Rdmarun.Engine.Tests.Init;

/// <summary>Telling the host's user namespace from any other by /proc/self/uid_map.</summary>
public sealed class UserNamespaceCheckTests
{
    [Theory]
    [InlineData("         0          0 4294967295\n", true)]   // the host's user namespace
    [InlineData("         0       1000          1\n", false)]  // rootless: the user's own id
    [InlineData("0 1000 1\n1 296608 65536\n", false)]          // with newuidmap's subordinate range
    [InlineData("0 0 65536\n", false)]                          // root-created, identity but partial
    public void Only_the_full_identity_map_is_the_initial_namespace(string map, bool initial) =>
        Assert.Equal(initial, UserNamespaceCheck.IsInitialMap(map));
}
