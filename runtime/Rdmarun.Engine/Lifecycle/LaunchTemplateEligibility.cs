using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// Which rank specs may become a launch template (LAUNCH_TEMPLATE.md, "Eligible specs"): a later
/// rank joins only the template's mount namespace and its cgroup and applies the process settings
/// the `template` file lists, so anything else a container gets per instance (its own user, PID,
/// cgroup or time namespace, hooks, a seccomp filter, LSM labels, sysctls, scheduler settings,
/// limits of its own cgroup, rdmarun's per-container annotations) keeps the full path. Pure.
/// </summary>
public static class LaunchTemplateEligibility
{
    /// <summary>Annotations rdmarun itself writes on every launch or grant: records, not requests.</summary>
    private static readonly string[] RuntimeAnnotations =
    [
        LaunchAnnotations.Launcher,
        Rdma.RdmaSpecGrant.GrantedAnnotation, Rdma.RdmaSpecGrant.GrantedNodesAnnotation, Rdma.RdmaSpecGrant.GrantedPkeysAnnotation,
    ];

    /// <summary>Null when <paramref name="spec"/> (after LaunchSpec.Apply, or the saved effective config) may be published; else why not.</summary>
    public static string? Reason(Spec spec, LaunchOptions o, bool systemdCgroup)
    {
        if (o.Id is not null) return "--id is given (a template serves generated ids only)";
        if (o.PrivatePidNs) return "--pid-ns private";
        return Namespaces(spec.Linux?.Namespaces) ?? Common(spec, systemdCgroup);
    }

    /// <summary>The rules launch and run templates share (RUN_TEMPLATE.md "Eligible specs"): everything but namespaces.</summary>
    public static string? Common(Spec spec, bool systemdCgroup)
    {
        if (systemdCgroup) return "--systemd-cgroup";
        var linux = spec.Linux;
        var p = spec.Process;
        return (HasHooks(spec.Hooks) ? "the spec has hooks" : null)
            ?? (linux?.Seccomp is not null ? "the spec has a seccomp profile" : null)
            ?? CanChangeMounts(p?.Capabilities)
            ?? (!string.IsNullOrEmpty(p?.ApparmorProfile) ? "process.apparmorProfile is set" : null)
            ?? (!string.IsNullOrEmpty(p?.SelinuxLabel) || !string.IsNullOrEmpty(linux?.MountLabel) ? "the spec has an SELinux label" : null)
            ?? (linux?.Sysctl is { Count: > 0 } ? "linux.sysctl is set" : null)
            ?? (linux?.Personality is not null ? "linux.personality is set" : null)
            ?? (p?.IOPriority is not null ? "process.ioPriority is set" : null)
            ?? (p?.Scheduler is not null ? "process.scheduler is set" : null)
            ?? (p?.ExecCPUAffinity is not null ? "process.execCPUAffinity is set" : null)
            ?? (linux?.MemoryPolicy is not null ? "linux.memoryPolicy is set" : null)
            ?? (linux?.IntelRdt is not null ? "linux.intelRdt is set" : null)
            ?? (linux?.TimeOffsets is { Count: > 0 } ? "linux.timeOffsets is set" : null)
            ?? (linux?.NetDevices is { Count: > 0 } ? "linux.netDevices is set" : null)
            ?? Resources(linux?.Resources)
            ?? (!string.IsNullOrEmpty(linux?.CgroupsPath) ? "linux.cgroupsPath is set" : null)
            ?? Annotations(spec.Annotations);
    }

    /// <summary>A new mount namespace (the template) and nothing else of the container's own: launch shares the host's net, IPC, UTS and PID.</summary>
    private static string? Namespaces(List<LinuxNamespace>? namespaces)
    {
        bool newMount = false;
        foreach (var ns in namespaces ?? [])
        {
            if (!string.IsNullOrEmpty(ns.Path)) return $"the spec joins the {ns.Type} namespace {ns.Path}";
            if (ns.Type == LinuxNamespaceType.Mount) newMount = true;
            else return $"the spec has a {ns.Type} namespace of its own";
        }
        return newMount ? null : "the spec has no mount namespace of its own";
    }

    /// <summary>
    /// Every rank of a template shares one mount namespace, and it outlives the job: a rank that
    /// could mount or unmount (CAP_SYS_ADMIN) would change what every later rank sees.
    /// </summary>
    private static string? CanChangeMounts(LinuxCapabilities? caps)
    {
        const string admin = "CAP_SYS_ADMIN";
        bool has = new[] { caps?.Bounding, caps?.Effective, caps?.Permitted, caps?.Ambient }.Any(l => l?.Contains(admin) == true);
        return has ? "process.capabilities grants CAP_SYS_ADMIN (a rank could change the shared mount namespace)" : null;
    }

    private static bool HasHooks(OciSpec.Hooks? h) =>
        h is not null && new[] { h.Prestart, h.CreateRuntime, h.CreateContainer, h.StartContainer, h.Poststart, h.Poststop }.Any(l => l is { Count: > 0 });

    /// <summary>Device rules are the template cgroup's; every other limit would bound all ranks of the template together.</summary>
    private static string? Resources(LinuxResources? r)
    {
        if (r is null) return null;
        bool other = r.Memory is not null || r.CPU is not null || r.Pids is not null || r.BlockIO is not null
            || r.HugepageLimits is { Count: > 0 } || r.Network is not null || r.Rdma is { Count: > 0 } || r.Unified is { Count: > 0 };
        return other ? "linux.resources has limits besides device rules" : null;
    }

    private static string? Annotations(Dictionary<string, string>? annotations)
    {
        foreach (var k in annotations?.Keys ?? Enumerable.Empty<string>())
            if (k.StartsWith("org.rdmarun.", StringComparison.Ordinal) && !RuntimeAnnotations.Contains(k))
                return $"annotation {k} is set";
        return null;
    }
}
