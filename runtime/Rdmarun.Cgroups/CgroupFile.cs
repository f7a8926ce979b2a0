using System.Text;

namespace Rdmarun.Cgroups;

/// <summary>
/// Reads and writes cgroup control files. Writes use one write(2) per value on an existing file
/// (O_WRONLY|O_TRUNC, never O_CREAT): the kernel parses each write separately, and a missing file
/// means a controller is absent, which must be an error rather than a new regular file.
/// </summary>
public static class CgroupFile
{
    /// <summary>Tests: records every successful write, in order, for the current async flow (a fake file keeps only the last one).</summary>
    internal static readonly AsyncLocal<List<(string Path, string Value)>?> Recorder = new();

    public static unsafe void Write(string dir, string file, string value)
    {
        var path = Path.Combine(dir, file);
        int fd = Native.Open(path, Native.O_WRONLY | Native.O_TRUNC | Native.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new CgroupException($"cgroup: open {path}: {Native.ErrnoText(e)}", e);
        }
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* p = bytes)
            {
                while (true)
                {
                    nint n = Native.Write(fd, p, bytes.Length);
                    if (n >= 0) break;
                    int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (e == Native.EINTR) continue;
                    throw new CgroupException($"cgroup: write {value.TrimEnd()} to {path}: {Native.ErrnoText(e)}", e);
                }
            }
        }
        finally { Native.Close(fd); }
        Recorder.Value?.Add((path, value));
    }

    public static string Read(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { throw new CgroupException($"cgroup: read {path}: no such file or directory", Native.ENOENT); }
        catch (DirectoryNotFoundException) { throw new CgroupException($"cgroup: read {path}: no such file or directory", Native.ENOENT); }
        catch (IOException ex) { throw new CgroupException($"cgroup: read {path}: {ex.Message}", 0, ex); }
        catch (UnauthorizedAccessException ex) { throw new CgroupException($"cgroup: read {path}: permission denied", Native.EACCES, ex); }
    }

    public static string? TryRead(string dir, string file)
    {
        try { return File.ReadAllText(Path.Combine(dir, file)); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static bool Exists(string dir, string file) => File.Exists(Path.Combine(dir, file));

    /// <summary>Reads a single number; "max" becomes null (unlimited).</summary>
    public static ulong? ReadUInt64OrMax(string dir, string file)
    {
        var text = TryRead(dir, file)?.Trim();
        if (string.IsNullOrEmpty(text) || text == "max") return null;
        return ulong.TryParse(text, out var v) ? v : null;
    }

    public static ulong ReadUInt64(string dir, string file)
    {
        var text = TryRead(dir, file)?.Trim();
        return text is not null && ulong.TryParse(text, out var v) ? v : 0;
    }

    /// <summary>Parses "key value" lines (memory.events, cpu.stat, memory.oom_control).</summary>
    public static Dictionary<string, ulong> ReadKeyValues(string dir, string file)
    {
        var result = new Dictionary<string, ulong>();
        var text = TryRead(dir, file);
        if (text is null) return result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], out var v)) result[parts[0]] = v;
        }
        return result;
    }
}
