using Rdmarun.OciSpec.Validation;

namespace Rdmarun.OciSpec;

/// <summary>
/// Checks a parsed spec the way runc does before creating anything (runc's specconv and
/// libcontainer/configs/validate), plus the spec's own MUSTs. Host capabilities (is SELinux on, does the
/// kernel have time namespaces, is a joined netns the host's) are left to the engine.
/// </summary>
public static class SpecValidator
{
    /// <summary>
    /// All problems found, errors and warnings, in document order per area. <paramref name="bundleDir"/>
    /// resolves a relative <c>root.path</c> to check the rootfs exists; pass null to skip file system checks.
    /// </summary>
    public static IReadOnlyList<SpecProblem> Validate(Spec spec, string? bundleDir)
    {
        var p = new ProblemList();
        if (string.IsNullOrEmpty(spec.Version))
            p.Error("$.ociVersion", "missing: the spec version is required");
        else if (!SpecVersion.IsSupported(spec.Version))
            p.Error("$.ociVersion", $"unsupported version {JPath.Q(spec.Version)}, expected 1.x");

        MountRules.CheckRoot(spec, bundleDir, p);
        if (spec.Process is { } proc) ProcessRules.Check(proc, "$.process", p);
        MountRules.Check(spec, p);
        if (spec.Hooks is { } hooks) HookRules.Check(hooks, p);
        NamespaceRules.Check(spec, p);
        if (spec.Linux is { } linux)
        {
            DeviceRules.Check(linux, p);
            SysctlRules.Check(linux, p);
            if (linux.Resources is { } r) ResourceRules.CheckResources(r, "$.linux.resources", p);
            ResourceRules.CheckLinux(linux, p);
            if (linux.Seccomp is { } sc) SeccompRules.Check(sc, p);
        }
        return p.Items;
    }

    /// <summary>Problems of an <c>exec --process</c> document; paths start at <c>$</c>.</summary>
    public static IReadOnlyList<SpecProblem> ValidateProcess(Process process)
    {
        var p = new ProblemList();
        ProcessRules.Check(process, "$", p);
        return p.Items;
    }

    /// <summary>Problems of an <c>update --resources</c> document; paths start at <c>$</c>.</summary>
    public static IReadOnlyList<SpecProblem> ValidateResources(LinuxResources resources)
    {
        var p = new ProblemList();
        ResourceRules.CheckResources(resources, "$", p);
        return p.Items;
    }

    /// <summary>
    /// Validates and throws one <see cref="SpecException"/> listing every error; returns the warnings
    /// (for the caller to log) when there is no error.
    /// </summary>
    public static IReadOnlyList<SpecProblem> ValidateOrThrow(Spec spec, string? bundleDir, string source = "config.json")
    {
        var all = Validate(spec, bundleDir);
        ThrowIfErrors(all, source);
        return all.Where(x => x.Severity == ProblemSeverity.Warning).ToList();
    }

    /// <summary>
    /// Throws when <paramref name="problems"/> holds an error. Message: <c>config.json: $.a: msg</c> for one,
    /// <c>config.json: 2 problems: $.a: msg; $.b: msg</c> for several. Warnings are not listed.
    /// </summary>
    public static void ThrowIfErrors(IReadOnlyList<SpecProblem> problems, string source = "config.json")
    {
        var errors = problems.Where(x => x.Severity == ProblemSeverity.Error).ToList();
        if (errors.Count == 0) return;
        string msg = errors.Count == 1
            ? $"{source}: {errors[0]}"
            : $"{source}: {errors.Count} problems: {string.Join("; ", errors)}";
        throw new SpecException(msg, errors);
    }
}
