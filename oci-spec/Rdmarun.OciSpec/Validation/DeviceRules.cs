namespace Rdmarun.OciSpec.Validation;

/// <summary>Rules for <c>linux.devices</c> (nodes to create) and <c>linux.resources.devices</c> (cgroup rules).</summary>
static class DeviceRules
{
    public static void Check(Linux linux, ProblemList p)
    {
        if (linux.Devices is { } devs)
            for (int i = 0; i < devs.Count; i++)
            {
                var d = devs[i];
                string at = JPath.Index("$.linux.devices", i);
                if (string.IsNullOrEmpty(d.Path))
                    p.Error($"{at}.path", "missing: the device path is required");
                else if (!d.Path.StartsWith('/'))
                    p.Error($"{at}.path", $"must be an absolute path, got {JPath.Q(d.Path)}");
                if (d.Type is not ("c" or "b" or "u" or "p"))
                    p.Error($"{at}.type", $"invalid device type {JPath.Q(d.Type)}, expected one of c, b, u, p");
                // major and minor are required except for fifos; 0:0 is never a real device, so it means "left out".
                else if (d.Type != "p" && d.Major == 0 && d.Minor == 0)
                    p.Error(at, $"device type {JPath.Q(d.Type)} needs major and minor numbers");
                if (d.Major < 0) p.Error($"{at}.major", $"must not be negative, got {d.Major}");
                if (d.Minor < 0) p.Error($"{at}.minor", $"must not be negative, got {d.Minor}");
            }

        if (linux.Resources?.Devices is { } rules)
            for (int i = 0; i < rules.Count; i++)
            {
                var r = rules[i];
                string at = JPath.Index("$.linux.resources.devices", i);
                if (r.Type is not (null or "" or "a" or "c" or "b"))
                    p.Error($"{at}.type", $"invalid cgroup device type {JPath.Q(r.Type)}, expected a, c or b");
                if (r.Access is { } acc && acc.Any(c => c is not ('r' or 'w' or 'm')))
                    p.Error($"{at}.access", $"invalid access {JPath.Q(acc)}, expected letters from rwm");
            }
    }
}
