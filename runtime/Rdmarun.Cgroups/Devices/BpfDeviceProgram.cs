using System.Runtime.InteropServices;
using System.Text;

namespace Rdmarun.Cgroups.Devices;

/// <summary>
/// Loads device programs with bpf(2) and swaps them on a cgroup2 directory. The new program is
/// attached (BPF_F_ALLOW_MULTI) before the old ones are detached, so the cgroup is never without a
/// filter: with no program attached every device would be allowed.
/// </summary>
public static unsafe class BpfDeviceProgram
{
    private const long SysBpf = 321; // x86_64
    private const int BpfProgLoad = 5, BpfProgAttach = 8, BpfProgDetach = 9, BpfProgGetFdById = 13, BpfProgQuery = 16;
    private const int ProgTypeCgroupDevice = 15, AttachCgroupDevice = 6, FAllowMulti = 2;

    /// <summary>Replaces the device programs attached to <paramref name="cgroupDir"/> with <paramref name="program"/>.</summary>
    public static void Apply(string cgroupDir, IReadOnlyList<BpfInstruction> program)
    {
        int dirFd = Native.Open(cgroupDir, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (dirFd < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            throw new CgroupException($"cgroup: open {cgroupDir}: {Native.ErrnoText(e)}", e);
        }
        try
        {
            var old = QueryAttached(dirFd, cgroupDir);
            int progFd = Load(program);
            try
            {
                Attach(dirFd, progFd, cgroupDir);
            }
            finally { Native.Close(progFd); } // the attachment keeps the program alive
            foreach (var id in old) Detach(dirFd, id, cgroupDir);
        }
        finally { Native.Close(dirFd); }
    }

    /// <summary>IDs of the device programs attached to the cgroup itself.</summary>
    public static List<uint> QueryAttached(string cgroupDir)
    {
        int dirFd = Native.Open(cgroupDir, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (dirFd < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            throw new CgroupException($"cgroup: open {cgroupDir}: {Native.ErrnoText(e)}", e);
        }
        try { return QueryAttached(dirFd, cgroupDir); }
        finally { Native.Close(dirFd); }
    }

    public static int Load(IReadOnlyList<BpfInstruction> program)
    {
        var insns = BpfInstruction.Encode(program);
        var license = "Apache\0"u8.ToArray();
        int fd = TryLoad(insns, license, null, 0, out int errno);
        if (fd >= 0) return fd;
        // Load again with the verifier log so the error says why the program was refused.
        var log = new byte[64 * 1024];
        TryLoad(insns, license, log, 1, out _);
        var text = Encoding.UTF8.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0))).Trim();
        throw new CgroupException($"cgroup: load device bpf program: {Native.ErrnoText(errno)}{(text.Length > 0 ? ": " + text : "")}", errno);
    }

    private static int TryLoad(byte[] insns, byte[] license, byte[]? log, int logLevel, out int errno)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        fixed (byte* pInsns = insns, pLicense = license, pLog = log)
        {
            *(uint*)(attr + 0) = ProgTypeCgroupDevice;     // prog_type
            *(uint*)(attr + 4) = (uint)(insns.Length / 8); // insn_cnt
            *(ulong*)(attr + 8) = (ulong)pInsns;           // insns
            *(ulong*)(attr + 16) = (ulong)pLicense;        // license
            if (log is not null)
            {
                *(uint*)(attr + 24) = (uint)logLevel;      // log_level
                *(uint*)(attr + 28) = (uint)log.Length;    // log_size
                *(ulong*)(attr + 32) = (ulong)pLog;        // log_buf
            }
            "rdmarun_dev\0"u8.CopyTo(new Span<byte>(attr + 48, 16)); // prog_name
            *(uint*)(attr + 68) = AttachCgroupDevice;      // expected_attach_type
            long r = Native.Syscall(SysBpf, BpfProgLoad, attr, 128);
            errno = r < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)r;
        }
    }

    private static void Attach(int dirFd, int progFd, string dir)
    {
        var attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)(attr + 0) = (uint)dirFd;        // target_fd
        *(uint*)(attr + 4) = (uint)progFd;       // attach_bpf_fd
        *(uint*)(attr + 8) = AttachCgroupDevice; // attach_type
        *(uint*)(attr + 12) = FAllowMulti;       // attach_flags
        if (Native.Syscall(SysBpf, BpfProgAttach, attr, 32) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            throw new CgroupException($"cgroup: attach device bpf program to {dir}: {Native.ErrnoText(e)}", e);
        }
    }

    private static void Detach(int dirFd, uint progId, string dir)
    {
        var attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)attr = progId;
        long fd = Native.Syscall(SysBpf, BpfProgGetFdById, attr, 32);
        if (fd < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e == Native.ENOENT) return; // already gone
            throw new CgroupException($"cgroup: get device bpf program {progId} of {dir}: {Native.ErrnoText(e)}", e);
        }
        try
        {
            new Span<byte>(attr, 32).Clear();
            *(uint*)(attr + 0) = (uint)dirFd;
            *(uint*)(attr + 4) = (uint)fd;
            *(uint*)(attr + 8) = AttachCgroupDevice;
            if (Native.Syscall(SysBpf, BpfProgDetach, attr, 32) < 0)
            {
                int e = Marshal.GetLastPInvokeError();
                throw new CgroupException($"cgroup: detach old device bpf program {progId} from {dir}: {Native.ErrnoText(e)}", e);
            }
        }
        finally { Native.Close((int)fd); }
    }

    private static List<uint> QueryAttached(int dirFd, string dir)
    {
        var ids = new uint[64];
        var attr = stackalloc byte[40];
        new Span<byte>(attr, 40).Clear();
        fixed (uint* pIds = ids)
        {
            *(uint*)(attr + 0) = (uint)dirFd;          // target_fd
            *(uint*)(attr + 4) = AttachCgroupDevice;   // attach_type
            *(ulong*)(attr + 16) = (ulong)pIds;        // prog_ids
            *(uint*)(attr + 24) = (uint)ids.Length;    // prog_cnt
            if (Native.Syscall(SysBpf, BpfProgQuery, attr, 40) < 0)
            {
                int e = Marshal.GetLastPInvokeError();
                throw new CgroupException($"cgroup: query device bpf programs of {dir}: {Native.ErrnoText(e)}", e);
            }
            uint count = *(uint*)(attr + 24);
            return ids.Take((int)Math.Min(count, (uint)ids.Length)).ToList();
        }
    }
}
