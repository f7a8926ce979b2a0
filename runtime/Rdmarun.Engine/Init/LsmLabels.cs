using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Init;

/// <summary>
/// process.apparmorProfile, process.selinuxLabel and linux.mountLabel. Asked for on a host
/// without that LSM they are an error, not silently dropped: the user asked for confinement
/// and would otherwise run unconfined. Checked before the first mount so a refusal leaves
/// nothing; applied through the procfs-verified write (a fake /proc must not swallow the label,
/// CVE-2019-16884) right before the user process's execve.
/// </summary>
public static class LsmLabels
{
    /// <summary>Fails when a label is asked for and the host lacks its LSM.</summary>
    public static void Check(Process? p, string? mountLabel)
    {
        if (!string.IsNullOrEmpty(p?.ApparmorProfile) && !AppArmorEnabled())
            throw new RuntimeError($"process.apparmorProfile: {p.ApparmorProfile} is set but AppArmor is not enabled on this host");
        if (!string.IsNullOrEmpty(p?.SelinuxLabel) && !SelinuxEnabled())
            throw new RuntimeError($"process.selinuxLabel: {p.SelinuxLabel} is set but SELinux is not enabled on this host");
        if (!string.IsNullOrEmpty(mountLabel) && !SelinuxEnabled())
            throw new RuntimeError($"linux.mountLabel: {mountLabel} is set but SELinux is not enabled on this host");
    }

    /// <summary>Labels the next execve: AppArmor through its own attr directory, SELinux through attr/exec.</summary>
    public static void ApplyOnExec(Process p)
    {
        if (!string.IsNullOrEmpty(p.ApparmorProfile))
        {
            // Stacked-LSM kernels have attr/apparmor/exec; older ones only the shared attr/exec.
            var rel = File.Exists("/proc/thread-self/attr/apparmor/exec") ? "thread-self/attr/apparmor/exec" : "thread-self/attr/exec";
            ProcWrite.Write(rel, "exec " + p.ApparmorProfile, "process.apparmorProfile", noSymlinks: false);
        }
        if (!string.IsNullOrEmpty(p.SelinuxLabel))
            ProcWrite.Write("thread-self/attr/exec", p.SelinuxLabel, "process.selinuxLabel", noSymlinks: false);
    }

    /// <summary>mount data with the SELinux context option for filesystems that take labels.</summary>
    public static string? WithMountLabel(string? data, string? mountLabel)
    {
        if (string.IsNullOrEmpty(mountLabel)) return data;
        var ctx = $"context=\"{mountLabel}\"";
        return string.IsNullOrEmpty(data) ? ctx : data + "," + ctx;
    }

    // The kernel's own view (module parameter / registered filesystems), not a tool's: these
    // read the same inside and outside the container's mount namespace.
    private static bool AppArmorEnabled()
    {
        try { return File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static bool SelinuxEnabled()
    {
        try { return File.ReadAllText("/proc/filesystems").Contains("\tselinuxfs\n"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
