using Rdmarun.OciSpec;

namespace Rdmarun.Cli.Commands;

/// <summary>`spec`: writes a default config.json into the bundle, refusing to overwrite one (as runc).</summary>
public static class SpecCommand
{
    public static int Run(List<string> args)
    {
        var p = new ArgParser().Flag("bundle|b", true).Flag("rootless").Parse(args, 1, reorder: true);
        var bundle = p.Get("bundle") ?? ".";
        var path = Path.Combine(bundle, "config.json");
        if (File.Exists(path)) throw new Engine.RuntimeError("File config.json exists. Remove it first");
        File.WriteAllText(path, SpecJson.Serialize(SpecDefaults.Create(p.Bool("rootless"))));
        return 0;
    }
}
