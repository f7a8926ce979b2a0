using System.Runtime.InteropServices;
using System.Text;
using Rdmarun.Engine.Native;
using Rdmarun.OciSpec;
using static Rdmarun.Engine.Native.LibcConst;

namespace Rdmarun.Engine.Init;

/// <summary>The last steps of stage 2: find the program, keep only the fds the spec passes, execve.</summary>
public static unsafe partial class ExecProcess
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The environment the process gets: the spec's, plus HOME from the image's passwd when unset (as runc).</summary>
    public static List<string> Environment(Process p)
    {
        var env = new List<string>(p.Env ?? []);
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            env.Add("HOME=" + HomeOf(p.User?.UID ?? 0));
        return env;
    }

    private static string HomeOf(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length >= 6 && uint.TryParse(f[2], out var u) && u == uid && f[5].Length > 0) return f[5];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return "/";
    }

    /// <summary>Resolves args[0] like execvp with the process's PATH, in the container's root.</summary>
    public static string LookPath(string name, IReadOnlyList<string> env)
    {
        if (name.Contains('/'))
        {
            if (!File.Exists(name)) throw new RuntimeError($"exec: \"{name}\": stat {name}: no such file or directory");
            return name;
        }
        var path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (File.Exists(candidate) && Access(candidate)) return candidate;
        }
        throw new RuntimeError($"exec: \"{name}\": executable file not found in $PATH");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);
    private static bool Access(string p) => access(p, 1 /* X_OK */) == 0;

    /// <summary>
    /// Marks every fd from 3+preserveFds close-on-exec: nothing of the runtime may leak into the
    /// container (CVE-2024-21626: a leaked host directory fd let a process escape via its cwd).
    /// </summary>
    public static void CloseExtraFds(int preserveFds)
    {
        uint first = (uint)(3 + preserveFds);
        if (Libc.syscall(SYS_close_range, (nint)first, unchecked((nint)uint.MaxValue), 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0) == 0)
            return;
        foreach (var entry in Directory.GetFiles("/proc/self/fd"))
            if (int.TryParse(Path.GetFileName(entry), out int fd) && fd >= first)
                Libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
    }

    /// <summary><paramref name="justBefore"/> runs after marshalling, right before execve.</summary>
    public static void Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, Action? justBefore = null)
    {
        byte* cpath = Utf8(path);
        byte** argv = Array(args);
        byte** envp = Array(env);
        justBefore?.Invoke();
        Libc.execve(cpath, argv, envp);
        throw new SyscallException($"exec {path}", Libc.Errno);
    }

    /// <summary>
    /// Execs the reaper image (a close-on-exec memfd; fine for a static ELF) with the resolved
    /// program and its argv: reaper PATH ARGV0 ARGS...
    /// </summary>
    public static void ExecReaper(int imageFd, string path, IReadOnlyList<string> args, IReadOnlyList<string> env, Action? justBefore = null)
    {
        var argv = Array(["rdmarun-reaper", path, .. args]);
        byte* empty = Utf8("");
        byte** envp = Array(env);
        justBefore?.Invoke();
        Libc.syscall(SYS_execveat, imageFd, (nint)empty, (nint)argv, (nint)envp, AT_EMPTY_PATH);
        throw new SyscallException("exec the rdmarun reaper", Libc.Errno);
    }

    private static byte* Utf8(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static byte** Array(IReadOnlyList<string> items)
    {
        var arr = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
        for (int i = 0; i < items.Count; i++) arr[i] = Utf8(items[i]);
        arr[items.Count] = null;
        return arr;
    }
}
