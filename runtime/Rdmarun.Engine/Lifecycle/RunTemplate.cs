namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// A foreground `run --warm-run` that C sent with a key (no usable run template, RUN_TEMPLATE.md)
/// publishes its container as one between create and start; later runs of the same config (Slurm's
/// steps: a new bundle per step with only process.args and process.env changed) start from it in C.
/// </summary>
public static class RunTemplate
{
    private static readonly LaunchSpec.EnvInputs NoEnv = new([], [], [], []);

    /// <summary>
    /// The create options to use (a rootless publisher needs a dumpable init, to open its namespaces)
    /// and the step for RunCommand's afterCreate, or null when there is nothing to publish.
    /// </summary>
    public static (CreateOptions Options, Action<Create.Result>? AfterCreate) Prepare(GlobalOptions g, CreateOptions o,
        LaunchTemplateRequest? template, bool detach, bool keep, Action<string> warn, Action<string> debug)
    {
        if (template is null) return (o, null);
        if (detach || keep)
        {
            debug($"run template {template.Key}: not published: --detach or --keep");
            return (o, null);
        }
        var request = new LaunchTemplatePublisher.Request(g, null, template, NoEnv, warn, debug);
        bool rootless = Native.Libc.geteuid() != 0;
        return (o with { DumpableForTemplate = rootless }, created => LaunchTemplatePublisher.TryPublish(request, created));
    }
}
