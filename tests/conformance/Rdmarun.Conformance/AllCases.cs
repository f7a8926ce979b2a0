using System.Text.RegularExpressions;

namespace Rdmarun.Conformance;

static class AllCases
{
    public static IReadOnlyList<ConformanceCase> List { get; } =
    [
        .. LifecycleCases.All, .. NamespaceCases.All, .. FilesystemCases.All, .. DeviceCases.All,
        .. ProcessCases.All, .. HookCases.All, .. CgroupCases.All, .. ExecCases.All,
    ];

    /// <summary>Cases whose name matches any of the shell-style globs (all cases when there are none).</summary>
    public static IReadOnlyList<ConformanceCase> Select(IReadOnlyList<string> globs) =>
        globs.Count == 0 ? List : List.Where(c => globs.Any(g => Glob(g).IsMatch(c.Name))).ToList();

    static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*").Replace("\\?", ".") + "$");
}
