namespace Rdmarun.Hooks.Tests;

public class WaitStatusTests
{
    [Theory]
    [InlineData(0x0000, "exit status 0", 0)]
    [InlineData(0x0100, "exit status 1", 1)]
    [InlineData(0xff00, "exit status 255", 255)]
    [InlineData(0x0009, "killed by signal 9 (SIGKILL)", 137)]
    [InlineData(0x008b, "killed by signal 11 (SIGSEGV)", 139)] // core dump bit set
    [InlineData(0x000f, "killed by signal 15 (SIGTERM)", 143)]
    public void Decodes_linux_status_words(int status, string text, int code)
    {
        Assert.Equal(text, WaitStatus.Describe(status));
        Assert.Equal(code, WaitStatus.ToExitCode(status));
    }

    [Fact]
    public void Realtime_signals_are_named_from_sigrtmin()
    {
        Assert.Equal("SIGRTMIN+2", WaitStatus.SignalName(36));
    }
}
