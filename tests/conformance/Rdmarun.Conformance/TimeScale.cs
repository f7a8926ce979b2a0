namespace Rdmarun.Conformance;

/// <summary>
/// One factor for every wait limit and command timeout (--time-scale): under emulation (the kernel lab)
/// and a loaded host, commands take many times longer, and a timeout there is not a runtime's fault.
/// </summary>
static class TimeScale
{
    public static double Factor { get; set; } = 1;

    public static TimeSpan Of(TimeSpan limit) => limit * Factor;
}
