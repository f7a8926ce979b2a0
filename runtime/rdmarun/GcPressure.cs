namespace Rdmarun.Cli;

/// <summary>Test-only GC churn (RDMARUN_TEST_GC_PRESSURE=1): allocations and forced collections on a background thread.</summary>
public static class GcPressure
{
    public static void Start()
    {
        var t = new Thread(() =>
        {
            var keep = new List<byte[]>();
            for (long i = 0; ; i++)
            {
                keep.Add(new byte[4096]);
                if (keep.Count > 2048) keep.Clear();
                if (i % 5000 == 0) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        }) { IsBackground = true, Name = "gc-pressure" };
        t.Start();
    }
}
