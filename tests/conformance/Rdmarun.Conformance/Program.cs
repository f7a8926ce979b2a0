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
foreach (var rt in options.Runtimes)
{
    var runtime = new RuntimeUnderTest(rt.Name, rt.Command, Path.Combine(options.WorkDir, "state", rt.Name));
    Directory.CreateDirectory(runtime.StateRoot);
    foreach (var c in cases)
    {
        string workDir = Path.Combine(options.WorkDir, rt.Name, c.Name);
        var outcome = await CaseRunner.RunRepeatedAsync(runtime, assets, c, workDir, options.Keep, options.Repeat);
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
