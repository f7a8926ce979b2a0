namespace Rdmarun.OciSpec.Validation;

/// <summary>Namespaces and what depends on them: id mappings, time offsets, hostname, masked paths.</summary>
static class NamespaceRules
{
    public static void Check(Spec spec, ProblemList p)
    {
        var linux = spec.Linux;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        if (linux?.Namespaces is { } nss)
        {
            for (int i = 0; i < nss.Count; i++)
            {
                string at = JPath.Index("$.linux.namespaces", i);
                var ns = nss[i];
                if (!LinuxNamespaceType.All.Contains(ns.Type))
                    p.Error($"{at}.type", $"unknown namespace type {JPath.Q(ns.Type)}");
                else if (seen.TryGetValue(ns.Type, out int first))
                    p.Error($"{at}.type", $"duplicated namespace {JPath.Q(ns.Type)} (first at index {first})");
                else
                    seen[ns.Type] = i;
                if (ns.Path is { Length: > 0 } path && !System.IO.Path.IsPathRooted(path))
                    p.Error($"{at}.path", $"namespace path must be absolute, got {JPath.Q(path)}");
            }
        }

        bool Has(string t) => seen.ContainsKey(t);
        string? PathOf(string t) => seen.TryGetValue(t, out int i) ? linux!.Namespaces![i].Path : null;

        // User namespace and mappings go together (runc: "user namespace mappings specified, but user
        // namespace isn't enabled"; a new user namespace without mappings leaves everyone as nobody).
        bool hasMappings = linux?.UIDMappings is not null || linux?.GIDMappings is not null;
        if (Has(LinuxNamespaceType.User))
        {
            if (string.IsNullOrEmpty(PathOf(LinuxNamespaceType.User)) && !hasMappings)
                p.Error("$.linux.namespaces", "user namespace enabled, but no namespace path to join nor uidMappings/gidMappings given");
            else if (string.IsNullOrEmpty(PathOf(LinuxNamespaceType.User)))
            {
                if (linux!.UIDMappings is not { Count: > 0 })
                    p.Error("$.linux.uidMappings", "a new user namespace needs uidMappings");
                if (linux.GIDMappings is not { Count: > 0 })
                    p.Error("$.linux.gidMappings", "a new user namespace needs gidMappings");
            }
        }
        else
        {
            if (linux?.UIDMappings is not null)
                p.Error("$.linux.uidMappings", "uid mappings given, but no user namespace is configured");
            if (linux?.GIDMappings is not null)
                p.Error("$.linux.gidMappings", "gid mappings given, but no user namespace is configured");
        }
        CheckMappings(linux?.UIDMappings, "$.linux.uidMappings", p);
        CheckMappings(linux?.GIDMappings, "$.linux.gidMappings", p);

        if (linux?.TimeOffsets is { } offsets)
        {
            if (!Has(LinuxNamespaceType.Time))
                p.Error("$.linux.timeOffsets", "time offsets given, but no time namespace is configured");
            else if (!string.IsNullOrEmpty(PathOf(LinuxNamespaceType.Time)))
                p.Error("$.linux.timeOffsets", "time offsets cannot be applied when joining an existing time namespace");
            foreach (var (clock, off) in offsets)
            {
                if (clock is not ("monotonic" or "boottime"))
                    p.Error(JPath.Member("$.linux.timeOffsets", clock), $"unknown clock {JPath.Q(clock)}, expected \"monotonic\" or \"boottime\"");
                if (off.Nanosecs >= 1_000_000_000)
                    p.Error(JPath.Member("$.linux.timeOffsets", clock) + ".nanosecs", $"must be below 1000000000, got {off.Nanosecs}");
            }
        }

        if (!string.IsNullOrEmpty(spec.Hostname) && !Has(LinuxNamespaceType.Uts))
            p.Error("$.hostname", "unable to set hostname without a private uts namespace");
        if (!string.IsNullOrEmpty(spec.Domainname) && !Has(LinuxNamespaceType.Uts))
            p.Error("$.domainname", "unable to set domainname without a private uts namespace");
        if ((linux?.MaskedPaths is { Count: > 0 } || linux?.ReadonlyPaths is { Count: > 0 }) && !Has(LinuxNamespaceType.Mount))
            p.Error(linux!.MaskedPaths is { Count: > 0 } ? "$.linux.maskedPaths" : "$.linux.readonlyPaths",
                "unable to restrict paths without a private mount namespace");

        if (linux?.NetDevices is { Count: > 0 } devs)
        {
            if (!Has(LinuxNamespaceType.Network))
                p.Error("$.linux.netDevices", "unable to move network devices without a network namespace");
            // Two host devices cannot end up under one name in the container: the second move would fail half-way.
            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, dev) in devs)
            {
                string at = JPath.Member("$.linux.netDevices", name);
                if (!ValidIfName(name))
                    p.Error(at, $"invalid network device name {JPath.Q(name)}");
                if (dev.Name is { Length: > 0 } target && !ValidIfName(target))
                    p.Error($"{at}.name", $"invalid network device name {JPath.Q(target)}");
                var final = dev.Name is { Length: > 0 } n ? n : name;
                if (targets.TryGetValue(final, out var first))
                    p.Error(dev.Name is { Length: > 0 } ? $"{at}.name" : at,
                        $"network device {JPath.Q(name)} and {JPath.Q(first)} would both be named {JPath.Q(final)} in the container");
                else targets[final] = name;
            }
        }
    }

    static void CheckMappings(List<LinuxIDMapping>? maps, string at, ProblemList p)
    {
        if (maps is null) return;
        for (int i = 0; i < maps.Count; i++)
            if (maps[i].Size == 0)
                p.Error($"{JPath.Index(at, i)}.size", "mapping size must be greater than zero");
    }

    // Kernel rule (net/core/dev.c dev_valid_name): 1..15 bytes, not "." or "..", no '/', ':' or whitespace.
    internal static bool ValidIfName(string name) =>
        name.Length is > 0 and < 16 && name is not ("." or "..") && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c));
}
