using System.Text;

namespace Rdmarun.Hooks.Tests;

/// <summary>A temp dir of executable hook scripts, removed on dispose.</summary>
public sealed class HookScripts : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("rdmarun-hooks-").FullName;

    /// <summary>Writes an executable /bin/sh script and returns its path.</summary>
    public string Script(string name, string body)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n", new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Dir, name);

    public string Read(string name) => File.ReadAllText(PathOf(name));

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
