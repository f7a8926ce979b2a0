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

RootlessUser? rootless;
try
{
    rootless = options.RootlessUser is null ? null : RootlessUser.Resolve(options.RootlessUser);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
var cases = AllCases.Select(options.CaseGlobs, rootless is not null);
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
    Console.Error.WriteLine(rootless is null
        ? "warning: not running as root; most runtimes need root for these cases"
        : "warning: not running as root; --rootless needs root to switch to the user and chown its bundles");
if (rootless is not null)
    Console.WriteLine($"rootless: runtimes run as {rootless.Name} (uid {rootless.Uid}, gid {rootless.Gid}); " +
        $"subordinate ids: {(rootless.WhyNoSubordinateIds(Assets.TestUid + 1) ?? "yes")}");

TimeScale.Factor = options.TimeScale;
var known = options.ExpectFiles.SelectMany(ExpectFile.Load).ToList();
Console.WriteLine($"building validator and rootfs template in {options.WorkDir}");
Assets assets;
try
{
    assets = await Assets.BuildAsync(Path.Combine(options.WorkDir, "assets"), options.Validator);
}
catch (Exception e) when (e is InvalidOperationException or IOException)
{
    // Without assets no case can run: say why and count it, so CI shows a failure rather than nothing.
    Console.Error.WriteLine($"error: building the test assets failed: {e.Message}");
    Console.WriteLine("0 passed, 1 failed, 0 skipped");
    return 1;
}

var report = new Report(options.Runtimes.Select(r => r.Name).ToList(), cases);
var staleNotes = new List<string>();
if (options.Parallel)
    await Task.WhenAll(options.Runtimes.Select(rt => Task.Run(() => RunColumnAsync(rt))));
else
    foreach (var rt in options.Runtimes)
        await RunColumnAsync(rt);
staleNotes.Sort(StringComparer.Ordinal);

string markdown = report.Markdown();
Console.WriteLine();
Console.Write(markdown);
if (options.ReportPath is not null)
    File.WriteAllText(options.ReportPath, markdown + "\n" + report.Summary + "\n");
if (options.JsonPath is not null)
    File.WriteAllText(options.JsonPath, report.Json());
Console.WriteLine();
foreach (var note in staleNotes)
    Console.WriteLine(note);
Console.WriteLine(report.Summary);
return report.Failed > 0 && !options.NoFail ? 1 : 0;

// One runtime's column, case after case; with --parallel the columns run at once (separate state roots,
// work dirs and container ids), so only the shared report is locked.
async Task RunColumnAsync(RuntimeOption rt)
{
    // Rootless: the column's state dir is the user's $XDG_RUNTIME_DIR (0700, its own, as pam_systemd makes it).
    var runtime = new RuntimeUnderTest(rt.Name, rt.Command,
        Path.Combine(options.WorkDir, rootless is null ? "state" : "xdg-runtime", rt.Name), rootless);
    Directory.CreateDirectory(runtime.StateRoot);
    if (rootless is not null)
    {
        File.SetUnixFileMode(runtime.StateRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await rootless.ChownAsync(runtime.StateRoot);
    }
    foreach (var c in cases)
    {
        string workDir = Path.Combine(options.WorkDir, rt.Name, c.Name);
        var outcome = await CaseRunner.RunRepeatedAsync(runtime, assets, c, workDir, options.Keep, options.Repeat);
        lock (report)
        {
            if (ExpectFile.StaleNote(known, c.Name, rt.Name, outcome) is { } note)
                staleNotes.Add(note);
            outcome = ExpectFile.Apply(known, c.Name, rt.Name, outcome);
            report.Add(c.Name, rt.Name, outcome);
            Console.WriteLine(Report.Line(rt.Name, c.Name, outcome));
        }
    }
}
