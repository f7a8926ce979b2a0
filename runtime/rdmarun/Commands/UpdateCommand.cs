using Rdmarun.Engine;
using Rdmarun.Engine.Lifecycle;
using Rdmarun.OciSpec;

namespace Rdmarun.Cli.Commands;

/// <summary>
/// `update [--resources FILE|-] [flags] ID`: a LinuxResources JSON (what containerd sends) or, as
/// runc, the single-value flags when no --resources is given.
/// </summary>
public static class UpdateCommand
{
    public static int Run(GlobalOptions g, List<string> args)
    {
        var p = new ArgParser().Flag("resources|r", true)
            .Flag("memory", true).Flag("memory-swap", true).Flag("memory-reservation", true).Flag("kernel-memory", true)
            .Flag("kernel-memory-tcp", true)
            .Flag("cpu-share|cpu-shares", true).Flag("cpu-quota", true).Flag("cpu-period", true)
            .Flag("cpu-rt-period", true).Flag("cpu-rt-runtime", true).Flag("cpu-idle", true)
            .Flag("cpuset-cpus", true).Flag("cpuset-mems", true).Flag("pids-limit", true).Flag("blkio-weight", true)
            .Parse(args, 1);
        var id = p.RequireId("update");
        Update.Run(g, id, p.Get("resources") is { } src ? FromJson(src) : FromFlags(p));
        return 0;
    }

    private static LinuxResources FromJson(string src)
    {
        byte[] data;
        if (src == "-")
        {
            using var stdin = Console.OpenStandardInput();
            using var ms = new MemoryStream();
            stdin.CopyTo(ms);
            data = ms.ToArray();
        }
        else
        {
            try { data = File.ReadAllBytes(src); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeError($"open {src}: {e.Message}");
            }
        }
        return SpecJson.ParseResources(data, src == "-" ? "stdin" : src);
    }

    public static LinuxResources FromFlags(ArgParser p)
    {
        var r = new LinuxResources();
        long? Size(string f) => p.Get(f) is { } v ? RamSize.Parse(v, f) : null;
        long? Long(string f) => p.Get(f) is { } v ? long.TryParse(v, out var n) ? n : throw NotNumber(v, f) : null;
        ulong? ULong(string f) => p.Get(f) is { } v ? ulong.TryParse(v, out var n) ? n : throw NotNumber(v, f) : null;

        if (Size("memory") is { } lim) (r.Memory ??= new()).Limit = lim;
        if (Size("memory-swap") is { } swap) (r.Memory ??= new()).Swap = swap;
        if (Size("memory-reservation") is { } res) (r.Memory ??= new()).Reservation = res;
        if (Size("kernel-memory") is { } km) (r.Memory ??= new()).Kernel = km;
        if (Size("kernel-memory-tcp") is { } kt) (r.Memory ??= new()).KernelTCP = kt;
        if (ULong("cpu-share") is { } shares) (r.CPU ??= new()).Shares = shares;
        if (Long("cpu-quota") is { } quota) (r.CPU ??= new()).Quota = quota;
        if (ULong("cpu-period") is { } period) (r.CPU ??= new()).Period = period;
        if (ULong("cpu-rt-period") is { } rtp) (r.CPU ??= new()).RealtimePeriod = rtp;
        if (Long("cpu-rt-runtime") is { } rtr) (r.CPU ??= new()).RealtimeRuntime = rtr;
        if (Long("cpu-idle") is { } idle) (r.CPU ??= new()).Idle = idle;
        if (p.Get("cpuset-cpus") is { } cpus) (r.CPU ??= new()).Cpus = cpus;
        if (p.Get("cpuset-mems") is { } mems) (r.CPU ??= new()).Mems = mems;
        if (Long("pids-limit") is { } pids) r.Pids = new LinuxPids { Limit = pids };
        if (ULong("blkio-weight") is { } w)
        {
            if (w > ushort.MaxValue) throw NotNumber(w.ToString(), "blkio-weight");
            r.BlockIO = new LinuxBlockIO { Weight = (ushort)w };
        }
        return r;
    }

    private static RuntimeError NotNumber(string v, string flag) => new($"invalid value \"{v}\" for flag -{flag}: not a number");
}
