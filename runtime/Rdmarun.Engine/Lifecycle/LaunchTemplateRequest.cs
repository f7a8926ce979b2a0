namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// The C fast path's request to publish a template (LAUNCH_TEMPLATE.md "Key"): it found no usable
/// template for this rank's inputs and put their key in `_RDMARUN_LAUNCH_KEY`. Only C computes keys.
/// </summary>
public sealed record LaunchTemplateRequest(string Key, uint TtlSeconds)
{
    public const string KeyEnv = "_RDMARUN_LAUNCH_KEY";
    /// <summary>Seconds an idle template lives; "0" turns templates off (C then never sets the key).</summary>
    public const string TtlEnv = "RDMARUN_LAUNCH_TEMPLATE_TTL";
    public const uint DefaultTtlSeconds = 120;

    /// <summary>
    /// Reads the request and removes the key from this process's environment, so no child (hook,
    /// guard, a rank that passes variables by prefix) sees it. Null when there is none to serve.
    /// </summary>
    public static LaunchTemplateRequest? Take(Action<string> debug)
    {
        var key = Environment.GetEnvironmentVariable(KeyEnv);
        if (key is null) return null;
        Environment.SetEnvironmentVariable(KeyEnv, null);
        return Parse(key, Environment.GetEnvironmentVariable(TtlEnv), debug);
    }

    public static LaunchTemplateRequest? Parse(string key, string? ttl, Action<string> debug)
    {
        if (!LaunchTemplateStore.KeyPattern().IsMatch(key))
        {
            debug($"launch template: ignoring {KeyEnv}={key}: expected 16 lowercase hex digits");
            return null;
        }
        if (ttl is null) return new(key, DefaultTtlSeconds);
        if (!uint.TryParse(ttl, System.Globalization.NumberStyles.None, null, out var seconds))
        {
            debug($"launch template {key}: not published: {TtlEnv}={ttl} is not a number of seconds");
            return null;
        }
        return seconds == 0 ? null : new(key, seconds);
    }
}
