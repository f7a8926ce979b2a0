using System.Text;
using System.Text.Json;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.Hooks;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Launch;

/// <summary>What the parent needs to start stage 1 (create and exec share this).</summary>
public sealed class LaunchRequest
{
    public required Bootstrap Bootstrap { get; init; }
    public required InitConfig Config { get; init; }
    /// <summary>Frame 6: the spec (create) or the process (exec), already serialised.</summary>
    public required byte[] Payload { get; init; }
    public IReadOnlyList<LinuxIDMapping>? UidMappings { get; init; }
    public IReadOnlyList<LinuxIDMapping>? GidMappings { get; init; }
    /// <summary>Extra fds to hand to stage 2 besides the init socket: (fd here, purpose) → numbered in order.</summary>
    public int ConsoleFd { get; init; } = -1;
    public int FifoFd { get; init; } = -1;
    /// <summary>Called with stage 1's pid before the bootstrap is sent (cgroup placement).</summary>
    public Action<int>? BeforeBootstrap { get; init; }
}

/// <summary>
/// Parent side of PROTOCOL.md: spawns `rdmarun init` (stage 1), feeds the bootstrap, maps the
/// user namespace, learns the pid of stage 2 and hands it its configuration.
/// </summary>
public static unsafe class InitLauncher
{
    public const string InitSockEnv = "_RDMARUN_INITSOCK";

    public static (int Pid, FrameChannel Channel) Launch(LaunchRequest req)
    {
        int* sv = stackalloc int[2];
        SyscallException.Check(Libc.socketpair(LibcConst.AF_UNIX, LibcConst.SOCK_STREAM | LibcConst.SOCK_CLOEXEC, 0, sv), "create init socketpair");
        var channel = new FrameChannel(sv[0]);
        int childSock = sv[1];
        int stage1 = -1;
        try
        {
            // Stdio and the preserved fds keep their numbers; ours follow them.
            int next = 3 + req.Config.PreserveFds;
            var map = new List<(int parentFd, int childFd)> { (0, 0), (1, 1), (2, 2) };
            for (int i = 0; i < req.Config.PreserveFds; i++) map.Add((3 + i, 3 + i));
            int sockNum = next++;
            map.Add((childSock, sockNum));
            if (req.FifoFd >= 0) { req.Config.FifoFd = next; map.Add((req.FifoFd, next++)); }
            if (req.ConsoleFd >= 0) { req.Config.ConsoleFd = next; map.Add((req.ConsoleFd, next++)); }

            // Executed through our own fd table: the child closes its inherited fds, but path
            // resolution of /proc/<us>/fd/N happens before that, while we are alive and hold it.
            int sealedExe = SealedSelf.Create();
            try
            {
                var exe = $"/proc/{Environment.ProcessId}/fd/{sealedExe}";
                stage1 = PosixSpawn.Spawn(exe, ["rdmarun", "init"], [$"{InitSockEnv}={sockNum}"], map);
            }
            finally { Libc.close(sealedExe); }
            Libc.close(childSock);
            childSock = -1;
            FaultPoint.Hit(req.Config.IsExec ? "exec.after-spawn" : "create.after-spawn");

            req.BeforeBootstrap?.Invoke(stage1);
            bool newUser = req.Bootstrap.NewUserNs;
            channel.Send(req.Bootstrap.Encode(waitForMap: newUser));

            int initPid = 0;
            while (initPid == 0)
            {
                var msg = channel.ReceiveText() ?? throw new RuntimeError("nsexec: stage 1 exited without reporting the container init");
                if (msg == "mapme")
                {
                    IdMapWriter.Write(stage1, req.UidMappings, req.GidMappings);
                    channel.Send("mapped");
                }
                else if (msg.StartsWith("pid ", StringComparison.Ordinal))
                    initPid = int.Parse(msg.AsSpan(4));
                else if (msg.StartsWith("error ", StringComparison.Ordinal))
                    throw Stage1Error(msg);
                else throw new RuntimeError($"nsexec: unexpected message from stage 1: {msg}");
            }
            PosixSpawn.WaitPid(stage1, out int status);
            stage1 = -1;
            if (status != 0) throw new RuntimeError($"nsexec: stage 1 failed with status {WaitStatus.ToExitCode(status)}");
            FaultPoint.Hit(req.Config.IsExec ? "exec.after-init-pid" : "create.after-init-pid");

            req.Config.InitPid = initPid;
            channel.Send(JsonSerializer.SerializeToUtf8Bytes(req.Config, ProtocolJsonContext.Default.InitConfig));
            channel.Send(req.Payload);
            return (initPid, channel);
        }
        catch
        {
            if (childSock >= 0) Libc.close(childSock);
            if (stage1 > 0) { PosixSpawn.Kill(stage1, LibcConst.SIGKILL); PosixSpawn.WaitPid(stage1, out _); }
            channel.Dispose();
            throw;
        }
    }

    private static RuntimeError Stage1Error(string msg)
    {
        // "error <errno> <message>"
        var parts = msg.Split(' ', 3);
        int errno = parts.Length > 1 && int.TryParse(parts[1], out var e) ? e : 0;
        string text = parts.Length > 2 ? parts[2] : "unknown failure";
        return new RuntimeError(errno != 0 ? $"{text}: {Libc.StrError(errno).ToLowerInvariant()}" : text);
    }

    /// <summary>
    /// Waits for stage 2's next managed-phase message. An error message becomes an exception;
    /// end of stream returns null (the process exec'ed, or died: the caller checks which).
    /// </summary>
    public static InitMessage? ReceiveMessage(FrameChannel ch)
    {
        var data = ch.Receive();
        if (data is null) return null;
        var m = JsonSerializer.Deserialize(data, ProtocolJsonContext.Default.InitMessage)
                ?? throw new RuntimeError("init: empty message");
        if (m.Type == InitMessage.Error) throw new RuntimeError(m.Message ?? "init failed");
        return m;
    }

    public static void SendMessage(FrameChannel ch, string type, string? message = null) =>
        ch.Send(JsonSerializer.SerializeToUtf8Bytes(new InitMessage { Type = type, Message = message },
            ProtocolJsonContext.Default.InitMessage));
}
