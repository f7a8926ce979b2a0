namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// A foreground `run` that C sent with a key (no usable run template, RUN_TEMPLATE.md) publishes
/// its container as one between create and start; later runs of the same config (Slurm's steps:
/// a new bundle per step with only process.args and process.env changed) start from it in C.
/// </summary>
public static class RunTemplate
{
    private static readonly LaunchSpec.EnvInputs NoEnv = new([], [], [], []);

    /// <summary>The step for RunCommand's afterCreate, or null when there is nothing to publish.</summary>
    public static Action<Create.Result>? PublishStep(GlobalOptions g, LaunchTemplateRequest? template, bool detach, bool keep,
        Action<string> warn, Action<string> debug)
    {
        if (template is null) return null;
        if (detach || keep)
        {
            debug($"run template {template.Key}: not published: --detach or --keep");
            return null;
        }
        var request = new LaunchTemplatePublisher.Request(g, null, template, NoEnv, warn, debug);
        return created => LaunchTemplatePublisher.TryPublish(request, created);
    }
}
