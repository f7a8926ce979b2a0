using System.Text.RegularExpressions;

namespace Rdmarun.Conformance;

static class AllCases
{
    public static IReadOnlyList<ConformanceCase> List { get; } =
    [
        .. LifecycleCases.All, .. NamespaceCases.All, .. FilesystemCases.All, .. DeviceCases.All,
        .. ProcessCases.All, .. HookCases.All, .. CgroupCases.All, .. ExecCases.All, .. RootlessCases.All,
    ];

    /// <summary>Cases whose name matches any of the shell-style globs (all cases when there are none).</summary>
    public static IReadOnlyList<ConformanceCase> Select(IReadOnlyList<string> globs, bool rootless = false) =>
        List.Where(c => (rootless || !c.RootlessOnly) && (globs.Count == 0 || globs.Any(g => Glob(g).IsMatch(c.Name)))).ToList();

    static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*").Replace("\\?", ".") + "$");
}
