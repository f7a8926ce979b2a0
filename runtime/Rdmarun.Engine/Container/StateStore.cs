using System.Text.Json;
using System.Text.RegularExpressions;
using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Container;

/// <summary>
/// The --root directory: one sub-directory per container holding state.json, config.json and
/// exec.fifo. mkdir of that directory is the atomic "claim" of an id (two creates: one wins);
/// an exclusive flock on it serialises commands on one id.
/// </summary>
public sealed partial class StateStore
{
    public string Root { get; }

    public StateStore(string root) => Root = root;

    public static string DefaultRoot()
    {
        if (Libc.geteuid() == 0) return "/run/rdmarun";
        // As runc: a rootless runtime keeps its state under XDG_RUNTIME_DIR.
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(xdg) ? $"/tmp/rdmarun-{Libc.geteuid()}" : Path.Combine(xdg, "rdmarun");
    }

    [GeneratedRegex(@"^[\w+\-\.]+$")]
    private static partial Regex IdPattern();

    /// <summary>Ids become path components: refuse anything that could leave the root (runc's rule).</summary>
    public static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id)) throw new RuntimeError("container id cannot be empty");
        // The root's directory of launch templates (Lifecycle/LaunchTemplateStore), not a container.
        if (id == Lifecycle.LaunchTemplateStore.DirName) throw new RuntimeError($"invalid container id {id}: the name is reserved for launch templates");
        if (id.Length > 1024 || id == "." || id == ".." || !IdPattern().IsMatch(id))
            throw new RuntimeError($"invalid container id {JsonSerializer.Serialize(id, EngineJson.Default.String)}: only letters, digits, '_', '+', '-' and '.' are allowed");
    }

    public string DirOf(string id) => Path.Combine(Root, id);
    public string FifoOf(string id) => Path.Combine(DirOf(id), "exec.fifo");
    public string ConfigOf(string id) => Path.Combine(DirOf(id), "config.json");

    /// <summary>Claims the id: creates its directory and returns the held lock.</summary>
    public StateLock Claim(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root);
        if (Libc.mkdir(DirOf(id), Convert.ToInt32("711", 8)) < 0)
        {
            int e = Libc.Errno;
            if (e == LibcConst.EEXIST) throw new RuntimeError($"container with id {id} already exists");
            throw new SyscallException($"create state directory {DirOf(id)}", e);
        }
        return StateLock.Acquire(DirOf(id)) ?? throw new RuntimeError($"container {id}: state directory vanished while creating it");
    }

    /// <summary>Locks an existing container; throws "does not exist" when it is not there (any more).</summary>
    public StateLock Lock(string id)
    {
        ValidateId(id);
        return StateLock.Acquire(DirOf(id)) ?? throw NotExist(id);
    }

    public static RuntimeError NotExist(string id) => new($"container {id} does not exist");

    public bool Exists(string id) => File.Exists(Path.Combine(DirOf(id), "state.json"));

    public ContainerRecord Load(string id)
    {
        var path = Path.Combine(DirOf(id), "state.json");
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw NotExist(id); }
        catch (DirectoryNotFoundException) { throw NotExist(id); }
        try
        {
            return JsonSerializer.Deserialize(data, StateJsonContext.Default.ContainerRecord)
                   ?? throw new RuntimeError($"{path}: empty state");
        }
        catch (JsonException e) { throw new RuntimeError($"{path}: corrupt state: {e.Message}"); }
    }

    /// <summary>Writes state.json atomically (temp file + rename) so a concurrent reader never sees half of it.</summary>
    public void Save(ContainerRecord s)
    {
        var dir = DirOf(s.Id);
        var tmp = Path.Combine(dir, "state.json.tmp");
        File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(s, StateJsonContext.Default.ContainerRecord));
        File.Move(tmp, Path.Combine(dir, "state.json"), overwrite: true);
    }

    public void Remove(string id)
    {
        var dir = DirOf(id);
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var d in Directory.EnumerateDirectories(Root))
        {
            var id = Path.GetFileName(d);
            if (File.Exists(Path.Combine(d, "state.json"))) yield return id;
        }
    }
}
