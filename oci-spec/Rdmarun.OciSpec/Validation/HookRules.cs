namespace Rdmarun.OciSpec.Validation;

/// <summary>Rules for <c>hooks</c>: absolute paths and positive timeouts (spec MUSTs).</summary>
static class HookRules
{
    public static void Check(Hooks hooks, ProblemList p)
    {
        Each(hooks.Prestart, "prestart", p);
        Each(hooks.CreateRuntime, "createRuntime", p);
        Each(hooks.CreateContainer, "createContainer", p);
        Each(hooks.StartContainer, "startContainer", p);
        Each(hooks.Poststart, "poststart", p);
        Each(hooks.Poststop, "poststop", p);
    }

    static void Each(List<Hook>? list, string name, ProblemList p)
    {
        if (list is null) return;
        for (int i = 0; i < list.Count; i++)
        {
            string at = JPath.Index($"$.hooks.{name}", i);
            var h = list[i];
            if (string.IsNullOrEmpty(h.Path))
                p.Error($"{at}.path", "missing: the hook path is required");
            else if (!h.Path.StartsWith('/'))
                p.Error($"{at}.path", $"must be an absolute path, got {JPath.Q(h.Path)}");
            if (h.Timeout is int t && t <= 0)
                p.Error($"{at}.timeout", $"must be greater than zero, got {t}");
            if (h.Env is { } env)
                for (int j = 0; j < env.Count; j++)
                    if (env[j].IndexOf('=') <= 0)
                        p.Error(JPath.Index($"{at}.env", j), $"invalid environment variable {JPath.Q(env[j])}");
        }
    }
}
