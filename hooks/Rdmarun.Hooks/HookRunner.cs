using System.Collections;
using Rdmarun.OciSpec;

namespace Rdmarun.Hooks;

/// <summary>
/// Runs OCI hooks: the hook's path with its args and env, the container state JSON on stdin,
/// stdout and stderr captured, killed with SIGKILL when it runs past its timeout. Each hook is the
/// leader of a process group of its own, so the runtime (or a later `delete --force`, through an
/// <see cref="IHookTracker"/>) can kill the hook together with whatever it started.
/// </summary>
public static class HookRunner
{
    /// <summary>
    /// Runs one hook and returns its output, or throws <see cref="HookException"/>:
    /// <c>error running prestart hook #0 (/usr/bin/x): exit status 1, stderr: ...</c> for a failure,
    /// <c>hook: prestart hook /usr/bin/x timed out after 5s</c> for a timeout.
    /// </summary>
    /// <param name="hook">args[0] is argv[0] (the spec's execv semantics); no args means argv = [path].
    /// A null env passes the runtime's own environment on, as runc and crun do.</param>
    /// <param name="index">The hook's position in its phase's list, for the message.</param>
    /// <param name="tracker">Told the hook's pid once it runs and again after it was reaped.</param>
    public static HookResult Run(Hook hook, ReadOnlySpan<byte> stateJson, string phaseName, int index = 0, IHookTracker? tracker = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        string path = hook.Path;
        string where = $"{phaseName} hook #{index} ({path})";
        if (string.IsNullOrEmpty(path))
            throw new HookException($"error running {where}: hook path is empty", phaseName, index, path);
        if (hook.Timeout is <= 0)
            throw new HookException($"error running {where}: timeout must be positive, got {hook.Timeout}", phaseName, index, path);

        string[] argv = hook.Args is { Count: > 0 } args ? [.. args] : [path];
        string[] envp = hook.Env is { } env ? [.. env] : CurrentEnvironment();

        var stdin = (Read: -1, Write: -1);
        var stdout = (Read: -1, Write: -1);
        var stderr = (Read: -1, Write: -1);
        try
        {
            stdin = PosixSpawn.Pipe();
            stdout = PosixSpawn.Pipe();
            stderr = PosixSpawn.Pipe();
            int pid;
            try
            {
                // A group of its own: a terminal's ^C to the runtime's group does not reach it, and the
                // group id (= pid) names the hook and its children for a kill after a timeout or a crash.
                pid = PosixSpawn.Spawn(path, argv, envp, [(stdin.Read, 0), (stdout.Write, 1), (stderr.Write, 2)], newProcessGroup: true);
            }
            catch (PosixException e)
            {
                throw new HookException($"error running {where}: {e.Message}", phaseName, index, path);
            }
            catch (ArgumentException e)
            {
                throw new HookException($"error running {where}: {e.Message}", phaseName, index, path);
            }
            // Our copies of the child's ends must go, or we would never see end of file.
            CloseAndClear(ref stdin.Read);
            CloseAndClear(ref stdout.Write);
            CloseAndClear(ref stderr.Write);

            try
            {
                tracker?.Started(pid, phaseName, path);
            }
            catch
            {
                // Not recorded means nobody could clean it up later: it must not outlive this failure.
                KillHook(pid);
                PosixSpawn.WaitPid(pid, out _);
                throw;
            }

            long? deadline = hook.Timeout is int seconds ? Environment.TickCount64 + seconds * 1000L : null;
            var io = new HookIo();
            int stdinWrite = stdin.Write;
            stdin.Write = -1; // HookIo owns it now
            int? status;
            int killed = 0;
            bool reaped = false;
            try
            {
                status = io.Pump(pid, stdinWrite, stdout.Read, stderr.Read, stateJson, deadline);
                if (status is null)
                {
                    KillHook(pid);
                    PosixSpawn.WaitPid(pid, out killed);
                }
                reaped = true;
            }
            catch (PosixException e)
            {
                // e.g. ECHILD when something else in the process reaped the hook
                throw new HookException($"error running {where}: {e.Message}", phaseName, index, path);
            }
            finally
            {
                // Only once it is reaped: before that its pid (and group) is still the hook's.
                if (reaped) tracker?.Ended(pid);
            }
            if (status is null)
            {
                throw new HookException($"hook: {phaseName} hook {path} timed out after {hook.Timeout}s", phaseName, index, path)
                {
                    TimedOut = true, WaitStatus = killed, Stdout = io.Stdout, Stderr = io.Stderr,
                };
            }

            int st = status.Value;
            if (WaitStatus.Exited(st) && WaitStatus.ExitStatus(st) == 0)
                return new HookResult(pid, io.Stdout, io.Stderr);
            throw new HookException(FailureMessage(where, st, io.Stdout, io.Stderr), phaseName, index, path)
            {
                WaitStatus = st, Stdout = io.Stdout, Stderr = io.Stderr,
            };
        }
        finally
        {
            PosixSpawn.Close(stdin.Read);
            PosixSpawn.Close(stdin.Write);
            PosixSpawn.Close(stdout.Read);
            PosixSpawn.Close(stdout.Write);
            PosixSpawn.Close(stderr.Read);
            PosixSpawn.Close(stderr.Write);
        }
    }

    /// <summary>
    /// Runs <paramref name="hooks"/> in order. With <paramref name="continueOnError"/> false the first
    /// failure is thrown and later hooks do not run; with true every hook runs and the failures are
    /// returned as warnings (the spec's rule for poststart and poststop, see <see cref="FailuresAreWarnings"/>).
    /// </summary>
    public static IReadOnlyList<HookException> RunAll(IReadOnlyList<Hook>? hooks, ReadOnlySpan<byte> stateJson,
        string phaseName, bool continueOnError, IHookTracker? tracker = null)
    {
        if (hooks is null || hooks.Count == 0)
            return [];
        List<HookException> warnings = [];
        for (int i = 0; i < hooks.Count; i++)
        {
            try
            {
                Run(hooks[i], stateJson, phaseName, i, tracker);
            }
            catch (HookException e) when (continueOnError)
            {
                warnings.Add(e);
            }
        }
        return warnings;
    }

    /// <summary>Serializes <paramref name="state"/> (compact JSON) and runs the hooks; see the span overload.</summary>
    public static IReadOnlyList<HookException> RunAll(IReadOnlyList<Hook>? hooks, State state, string phaseName, bool continueOnError,
        IHookTracker? tracker = null)
        => RunAll(hooks, SpecJson.SerializeToUtf8(state), phaseName, continueOnError, tracker);

    /// <summary>True for poststart and poststop: the spec says their failures are logged and the lifecycle goes on.</summary>
    public static bool FailuresAreWarnings(string phaseName)
        => phaseName is HookNames.Poststart or HookNames.Poststop;

    private static string FailureMessage(string where, int status, string stdout, string stderr)
    {
        string message = $"error running {where}: {WaitStatus.Describe(status)}";
        string outText = stdout.TrimEnd();
        string errText = stderr.TrimEnd();
        if (outText.Length > 0) message += $", stdout: {Clip(outText)}";
        if (errText.Length > 0) message += $", stderr: {Clip(errText)}";
        return message;
    }

    // Keeps a chatty hook's output from burying the rest of an error line; the full text stays on the exception.
    private static string Clip(string s) => s.Length <= 4096 ? s : s[..4096] + " [truncated]";

    // The hook and its whole group: a hook that timed out must not leave its children behind. The pid
    // too, in case the hook moved itself to another group (setsid) before it hung.
    private static void KillHook(int pid)
    {
        PosixSpawn.Kill(pid, PosixSpawn.SIGKILL);
        PosixSpawn.KillGroup(pid, PosixSpawn.SIGKILL);
    }

    private static void CloseAndClear(ref int fd)
    {
        PosixSpawn.Close(fd);
        fd = -1;
    }

    private static string[] CurrentEnvironment()
    {
        var list = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            list.Add($"{e.Key}={e.Value}");
        return [.. list];
    }
}
