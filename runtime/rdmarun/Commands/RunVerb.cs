using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Cli.Commands;

public static class RunVerb
{
    public static int Run(GlobalOptions g, List<string> args, Logger log)
    {
        // First: taken out of our environment before anything reads or passes it on (RUN_TEMPLATE.md).
        var template = LaunchTemplateRequest.Take(log.Debug);
        var p = CreateCommand.Flags().Parse(args, 1, reorder: true);
        bool detach = p.Bool("detach"), keep = p.Bool("keep");
        var (o, afterCreate) = RunTemplate.Prepare(g, CreateCommand.Options(p, "run"), template, detach, keep, log.Warn, log.Debug);
        return RunCommand.Run(g, o, detach, keep, log.Warn, afterCreate: afterCreate);
    }
}
