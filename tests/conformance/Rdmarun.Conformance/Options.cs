namespace Rdmarun.Conformance;

sealed record RuntimeOption(string Name, IReadOnlyList<string> Command);

/// <summary>Command-line options; see Usage.</summary>
sealed class Options
{
    public List<RuntimeOption> Runtimes { get; } = [];
    public List<string> CaseGlobs { get; } = [];
    public string? ReportPath { get; set; }
    public string? JsonPath { get; set; }
    public List<string> ExpectFiles { get; } = [];
    public string? Validator { get; set; }
    public string? RootlessUser { get; set; }
    public double TimeScale { get; set; } = 1;
    public bool Parallel { get; set; }
    public bool NoFail { get; set; }
    public bool List { get; set; }
    public bool Keep { get; set; }
    public int Repeat { get; set; } = 1;
    public string WorkDir { get; set; } = Path.Combine(Path.GetTempPath(), "rdmarun-conformance");

    public const string Usage = """
        usage: Rdmarun.Conformance --runtime PATH [--runtime-name NAME] [--runtime PATH ...]
                                   [--case GLOB ...] [--report out.md] [--json out.json]
                                   [--expect-file FILE] [--no-fail] [--work-dir DIR] [--keep] [--repeat N] [--list]
                                   [--validator FILE] [--time-scale N] [--parallel] [--rootless USER]
          --runtime PATH       runtime binary; may carry global flags: "/usr/bin/crun --cgroup-manager=disabled"
          --runtime-name NAME  column name for the preceding --runtime (default: file name of PATH)
          --case GLOB          run only cases whose name matches (repeatable; * and ? allowed)
          --report FILE        write the markdown table to FILE
          --json FILE          write all results as json to FILE
          --expect-file FILE   known differences: lines "case | runtime | pass/fail/skip | reason" (repeatable)
          --no-fail            exit 0 even when a cell failed
          --work-dir DIR       where bundles and runtime state go (default /tmp/rdmarun-conformance)
          --keep               keep bundles of finished cases for debugging
          --repeat N           run every case N times; a cell fails if any run failed (flake hunting)
          --list               print the case names and descriptions, run nothing
          --validator FILE     use this static validator binary instead of compiling validator.c
          --time-scale N       multiply every wait limit and timeout by N (emulated or loaded machines)
          --parallel           run the runtimes' columns at the same time (cases within a column stay in order)
          --rootless USER      run every runtime as this unprivileged user with `spec --rootless` bundles and no
                               --root (state under $XDG_RUNTIME_DIR); cases needing more privilege skip and say why
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runtime":
                    var command = Value().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (command.Length == 0)
                        throw new ArgumentException("--runtime needs a path");
                    o.Runtimes.Add(new RuntimeOption(Path.GetFileName(command[0]), command));
                    break;
                case "--runtime-name":
                    if (o.Runtimes.Count == 0)
                        throw new ArgumentException("--runtime-name must follow a --runtime");
                    o.Runtimes[^1] = o.Runtimes[^1] with { Name = Value() };
                    break;
                case "--case": o.CaseGlobs.Add(Value()); break;
                case "--report": o.ReportPath = Value(); break;
                case "--json": o.JsonPath = Value(); break;
                case "--expect-file": o.ExpectFiles.Add(Value()); break;
                case "--work-dir": o.WorkDir = Value(); break;
                case "--validator": o.Validator = Value(); break;
                case "--time-scale":
                    o.TimeScale = double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out double f) && f >= 1
                        ? f : throw new ArgumentException("--time-scale needs a number >= 1");
                    break;
                case "--no-fail": o.NoFail = true; break;
                case "--keep": o.Keep = true; break;
                case "--repeat":
                    o.Repeat = int.TryParse(Value(), out int n) && n > 0 ? n : throw new ArgumentException("--repeat needs a positive number");
                    break;
                case "--list": o.List = true; break;
                case "--parallel": o.Parallel = true; break;
                case "--rootless": o.RootlessUser = Value(); break;
                case "-h" or "--help": throw new ArgumentException("");
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (o.Runtimes.Count == 0 && !o.List)
            throw new ArgumentException("at least one --runtime is required");
        var duplicate = o.Runtimes.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"runtime name {duplicate.Key} is used twice: give --runtime-name");
        return o;
    }
}
