namespace Rdmarun.Engine.Lifecycle;

/// <summary>--pid-file: written atomically (temp + rename), as runc does, so a reader never sees a partial pid.</summary>
public static class PidFile
{
    public static void Write(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(tmp, pid.ToString());
        File.Move(tmp, full, overwrite: true);
    }
}
