using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// A busybox bundle in a temp dir (rootfs from Debian's busybox-static, config from `rdmarun
/// spec`), editable as JSON. Disposing deletes any container left and the directory.
/// </summary>
public sealed class Bundle : IDisposable
{
    public string Dir { get; }
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public JsonObject Config { get; private set; }
    public Rdmarun Runtime { get; }
    private readonly List<string> _ids = [];

    public Bundle(params string[] args)
    {
        Dir = Directory.CreateTempSubdirectory("rdmarun-it-").FullName;
        Runtime = new Rdmarun(Path.Combine(Dir, "state"));
        MakeRootfs(Rootfs);
        var r = Runtime.Run(Dir, "spec");
        if (r.ExitCode != 0) throw new InvalidOperationException("rdmarun spec failed: " + r);
        Config = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "config.json")))!.AsObject();
        Process["terminal"] = false;
        if (args.Length > 0) Args(args);
        Save();
    }

    public JsonObject Process => Config["process"]!.AsObject();
    public JsonObject Linux => Config["linux"]!.AsObject();

    public Bundle Args(params string[] args)
    {
        Process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        return this;
    }

    public void Save() => File.WriteAllText(Path.Combine(Dir, "config.json"), Config.ToJsonString());

    /// <summary>A fresh container id, remembered for cleanup.</summary>
    public string NewId(string prefix = "it")
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..20];
        _ids.Add(id);
        return id;
    }

    public Rdmarun.Result Rt(params string[] args) => Runtime.Run(Dir, args);

    private static void MakeRootfs(string rootfs)
    {
        foreach (var d in new[] { "bin", "etc", "proc", "sys", "dev", "tmp", "root" })
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin/busybox"));
        foreach (var applet in new[] { "sh", "cat", "echo", "id", "ls", "sleep", "hostname", "mount", "grep", "true", "false", "touch", "stat", "readlink", "wc", "head", "kill", "ps", "umask", "env", "domainname", "test" })
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"), "root:x:0:\nuser:x:1000:\n");
    }

    public void Dispose()
    {
        foreach (var id in _ids) Runtime.Run(Dir, "delete", "--force", id);
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
