using Rdmarun.Engine.Native;

namespace Rdmarun.Engine.Seccomp;

/// <summary><see cref="ISeccompBackend"/> over the real libseccomp filter context.</summary>
public sealed unsafe class LibSeccompBackend : ISeccompBackend
{
    private nint _ctx;

    public void Init(uint defaultAction)
    {
        _ctx = LibSeccomp.seccomp_init(defaultAction);
        if (_ctx == 0) throw new RuntimeError($"seccomp: create a filter with default action 0x{defaultAction:x8}: libseccomp refused it");
    }

    public void AddArch(uint arch)
    {
        int rc = LibSeccomp.seccomp_arch_add(_ctx, arch);
        // -EEXIST: the native architecture is always present.
        if (rc < 0 && rc != -LibcConst.EEXIST) throw Fail($"add architecture {SeccompArchs.NameOf(arch)}", rc);
    }

    public void SetAttr(int attr, uint value)
    {
        int rc = LibSeccomp.seccomp_attr_set(_ctx, attr, value);
        if (rc < 0) throw Fail($"set filter attribute {attr}", rc);
    }

    public int? ResolveSyscall(string name)
    {
        int nr = LibSeccomp.seccomp_syscall_resolve_name(name);
        return nr == LibSeccomp.NrScmpError ? null : nr;
    }

    public void AddRule(uint action, int syscall, string name, IReadOnlyList<SeccompCondition> conditions)
    {
        var args = stackalloc LibSeccomp.ArgCmp[Math.Max(conditions.Count, 1)];
        for (int i = 0; i < conditions.Count; i++)
            args[i] = new LibSeccomp.ArgCmp { Arg = conditions[i].Index, Op = (int)conditions[i].Op, DatumA = conditions[i].Value, DatumB = conditions[i].ValueTwo };
        int rc = LibSeccomp.seccomp_rule_add_array(_ctx, action, syscall, (uint)conditions.Count, args);
        if (rc < 0) throw Fail($"add a rule for syscall {name}", rc);
    }

    public void Load()
    {
        int rc = LibSeccomp.seccomp_load(_ctx);
        if (rc < 0) throw Fail("load the filter", rc);
    }

    public int NotifyFd()
    {
        int fd = LibSeccomp.seccomp_notify_fd(_ctx);
        if (fd < 0) throw Fail("get the notification fd", fd);
        return fd;
    }

    /// <summary>The filter in libseccomp's pseudo-filter-code text (for debugging and tests).</summary>
    public string ExportPfc()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var f = File.OpenWrite(path))
            {
                int rc = LibSeccomp.seccomp_export_pfc(_ctx, (int)f.SafeFileHandle.DangerousGetHandle());
                if (rc < 0) throw Fail("export the filter", rc);
            }
            return File.ReadAllText(path);
        }
        finally { File.Delete(path); }
    }

    public void Dispose()
    {
        if (_ctx != 0) LibSeccomp.seccomp_release(_ctx);
        _ctx = 0;
    }

    private static RuntimeError Fail(string what, int rc) =>
        new($"seccomp: {what}: {Libc.StrError(-rc).ToLowerInvariant()}");
}
