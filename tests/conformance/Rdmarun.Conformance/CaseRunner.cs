namespace Rdmarun.Conformance;

/// <summary>Runs one case against one runtime and turns whatever happens into an outcome.</summary>
static class CaseRunner
{
    static TimeSpan CaseTimeout => TimeScale.Of(TimeSpan.FromMinutes(2));

    public static async Task<CaseOutcome> RunAsync(RuntimeUnderTest runtime, Assets assets, ConformanceCase c, string workDir, bool keep)
    {
        if (Directory.Exists(workDir))
            Directory.Delete(workDir, recursive: true);
        Directory.CreateDirectory(workDir);
        var started = DateTime.UtcNow;
        try
        {
            // Rootless: hooks and console sockets of the runtime's user write here, as in the user's own dir.
            if (runtime.User is not null)
                await runtime.User.ChownAsync(workDir);
            await using var context = new CaseContext(runtime, assets, c.Name, workDir, keep);
            var run = c.Run(context);
            if (await Task.WhenAny(run, Task.Delay(CaseTimeout)) != run)
                throw new CaseFailedException($"case did not finish within {CaseTimeout.TotalSeconds:0}s");
            await run;
            return new CaseOutcome(OutcomeKind.Pass, "", DateTime.UtcNow - started);
        }
        catch (CaseSkippedException e)
        {
            return new CaseOutcome(OutcomeKind.Skip, e.Message, DateTime.UtcNow - started);
        }
        catch (CaseFailedException e)
        {
            return new CaseOutcome(OutcomeKind.Fail, e.Message, DateTime.UtcNow - started);
        }
        catch (Exception e)
        {
            // A harness or host error still belongs to this cell; it must not hide the other cases.
            return new CaseOutcome(OutcomeKind.Fail, $"harness error: {e.GetType().Name}: {e.Message}", DateTime.UtcNow - started);
        }
    }

    /// <summary>
    /// Runs a case <paramref name="repeat"/> times (for hunting intermittent failures): one failure fails the
    /// cell and says how many runs failed; all skips make a skip.
    /// </summary>
    public static async Task<CaseOutcome> RunRepeatedAsync(RuntimeUnderTest runtime, Assets assets, ConformanceCase c, string workDir, bool keep, int repeat)
    {
        var outcomes = new List<CaseOutcome>();
        for (int i = 0; i < repeat; i++)
            outcomes.Add(await RunAsync(runtime, assets, c, workDir, keep));
        var total = outcomes.Aggregate(TimeSpan.Zero, (t, o) => t + o.Duration);
        var failures = outcomes.Where(o => o.Kind == OutcomeKind.Fail).ToList();
        if (failures.Count > 0)
            return new CaseOutcome(OutcomeKind.Fail, repeat == 1 ? failures[0].Reason : $"failed {failures.Count} of {repeat} runs, first: {failures[0].Reason}", total);
        if (outcomes.All(o => o.Kind == OutcomeKind.Skip))
            return outcomes[0] with { Duration = total };
        return new CaseOutcome(OutcomeKind.Pass, "", total);
    }
}
