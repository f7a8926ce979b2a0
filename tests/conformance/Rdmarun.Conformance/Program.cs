using Rdmarun.Conformance;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    if (e.Message.Length > 0)
        Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var cases = AllCases.Select(options.CaseGlobs);
if (options.List)
{
    foreach (var c in cases)
        Console.WriteLine($"{c.Name,-24} {c.Description}");
    return 0;
}
if (cases.Count == 0)
{
    Console.Error.WriteLine($"error: no case matches {string.Join(", ", options.CaseGlobs)}");
    return 2;
}
if (Environment.UserName != "root")
    Console.Error.WriteLine("warning: not running as root; most runtimes need root for these cases");

var known = options.ExpectFile is null ? [] : ExpectFile.Load(options.ExpectFile);
Console.WriteLine($"building validator and rootfs template in {options.WorkDir}");
var assets = await Assets.BuildAsync(Path.Combine(options.WorkDir, "assets"));

var report = new Report(options.Runtimes.Select(r => r.Name).ToList(), cases);
var caseTimeout = TimeSpan.FromMinutes(2);
foreach (var rt in options.Runtimes)
{
    var runtime = new RuntimeUnderTest(rt.Name, rt.Command, Path.Combine(options.WorkDir, "state", rt.Name));
    Directory.CreateDirectory(runtime.StateRoot);
    foreach (var c in cases)
    {
        string workDir = Path.Combine(options.WorkDir, rt.Name, c.Name);
        if (Directory.Exists(workDir))
            Directory.Delete(workDir, recursive: true);
        Directory.CreateDirectory(workDir);
        var started = DateTime.UtcNow;
        CaseOutcome outcome;
        try
        {
            await using var context = new CaseContext(runtime, assets, c.Name, workDir, options.Keep);
            var run = c.Run(context);
            if (await Task.WhenAny(run, Task.Delay(caseTimeout)) != run)
                throw new CaseFailedException($"case did not finish within {caseTimeout.TotalSeconds:0}s");
            await run;
            outcome = new CaseOutcome(OutcomeKind.Pass, "", DateTime.UtcNow - started);
        }
        catch (CaseSkippedException e)
        {
            outcome = new CaseOutcome(OutcomeKind.Skip, e.Message, DateTime.UtcNow - started);
        }
        catch (CaseFailedException e)
        {
            outcome = new CaseOutcome(OutcomeKind.Fail, e.Message, DateTime.UtcNow - started);
        }
        catch (Exception e)
        {
            // A harness or host error still belongs to this cell; it must not hide the other cases.
            outcome = new CaseOutcome(OutcomeKind.Fail, $"harness error: {e.GetType().Name}: {e.Message}", DateTime.UtcNow - started);
        }
        outcome = ExpectFile.Apply(known, c.Name, rt.Name, outcome);
        report.Add(c.Name, rt.Name, outcome);
        Console.WriteLine(Report.Line(rt.Name, c.Name, outcome));
    }
}

string markdown = report.Markdown();
Console.WriteLine();
Console.Write(markdown);
if (options.ReportPath is not null)
    File.WriteAllText(options.ReportPath, markdown + "\n" + report.Summary + "\n");
if (options.JsonPath is not null)
    File.WriteAllText(options.JsonPath, report.Json());
Console.WriteLine();
Console.WriteLine(report.Summary);
return report.Failed > 0 && !options.NoFail ? 1 : 0;
