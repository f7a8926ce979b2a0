using System.Diagnostics;

namespace Rdmarun.Integration.Tests;

/// <summary>Runs commands as an unprivileged host user (setpriv), for rootless and /proc access checks.</summary>
public static class AsUser
{
    /// <summary>nobody: exists everywhere, owns nothing on the host.</summary>
    public const int Uid = 65534;

    public static Rdmarun.Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { $"--reuid={Uid}", $"--regid={Uid}", "--clear-groups", "--" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return new Rdmarun.Result(p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>
    /// A script that runs the rdmarun under test as <see cref="Uid"/>: a rootless rdmarun, as
    /// Slurm or a user's podman would start it.
    /// </summary>
    public static string RuntimeWrapper(string dir)
    {
        var path = Path.Combine(dir, "rdmarun-as-nobody");
        File.WriteAllText(path, $"#!/bin/sh\nexec setpriv --reuid={Uid} --regid={Uid} --clear-groups -- '{Rdmarun.Binary}' \"$@\"\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ed);
        return path;
    }

    /// <summary>Makes a bundle rootless for <see cref="Uid"/>: `spec --rootless` namespaces and mounts, root mapped to the user, tree owned by it.</summary>
    public static Rdmarun Rootless(Bundle b)
    {
        var tmp = Directory.CreateTempSubdirectory("rdmarun-spec-").FullName;
        try
        {
            var r = b.Runtime.Run(tmp, "spec", "--rootless");
            if (r.ExitCode != 0) throw new InvalidOperationException("spec --rootless: " + r);
            var spec = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp, "config.json")))!.AsObject();
            spec["process"] = b.Process.DeepClone();
            spec["linux"]!["uidMappings"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["containerID"] = 0, ["hostID"] = Uid, ["size"] = 1 });
            spec["linux"]!["gidMappings"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["containerID"] = 0, ["hostID"] = Uid, ["size"] = 1 });
            foreach (var m in spec["mounts"]!.AsArray())
                if ((string?)m!["type"] == "devpts")
                    m["options"] = new System.Text.Json.Nodes.JsonArray(m["options"]!.AsArray().Where(o => !((string)o!).StartsWith("gid=")).Select(o => o!.DeepClone()).ToArray());
            b.Config["linux"] = spec["linux"]!.DeepClone();
            b.Config["mounts"] = spec["mounts"]!.DeepClone();
            b.Linux.Remove("resources");
            b.Save();
        }
        finally { Directory.Delete(tmp, true); }
        foreach (var p in Directory.EnumerateFileSystemEntries(b.Dir, "*", SearchOption.AllDirectories).Append(b.Dir))
            Libc.lchown(p, Uid, Uid);
        return new Rdmarun(b.Runtime.Root, RuntimeWrapper(b.Dir));
    }

    private static class Libc
    {
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int lchown(string path, int uid, int gid);
    }
}
