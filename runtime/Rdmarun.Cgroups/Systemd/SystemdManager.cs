using Rdmarun.OciSpec;

namespace Rdmarun.Cgroups.Systemd;

/// <summary>
/// The systemd driver: systemd creates the container's cgroup as a transient scope (Delegate=yes, the
/// init's pid in it, inside the requested slice); every file-level operation (limits systemd has no
/// property for such as rdma.max and v1 devices, freeze, kill, stats) goes to the fs manager over the
/// same directories. Stopping the unit on Destroy lets systemd forget it.
/// </summary>
public sealed class SystemdManager : ICgroupManager
{
    private readonly SystemdCgroupPath _path;
    private readonly ICgroupManager _fs;
    private readonly LinuxResources? _initial;
    private readonly string _containerId;
    private readonly bool _unitExists;

    private SystemdManager(SystemdCgroupPath path, ICgroupManager fs, LinuxResources? initial, string containerId, bool unitExists)
    {
        _path = path; _fs = fs; _initial = initial; _containerId = containerId; _unitExists = unitExists;
    }

    /// <param name="initial">linux.resources, passed to systemd as unit properties when the scope starts.</param>
    public static SystemdManager Create(string? cgroupsPath, string containerId, CgroupSetup setup, bool rootless, LinuxResources? initial)
    {
        var path = SystemdCgroupPath.Parse(cgroupsPath, containerId, rootless);
        // An absolute cgroupsPath to the fs factory means "this path under every hierarchy's root".
        var fs = CgroupManagerFactory.Create("/" + path.RelativeCgroup, containerId, setup, rootless);
        return new SystemdManager(path, fs, initial, containerId, unitExists: false);
    }

    /// <summary>Rebuilds the manager from state.json's paths; the unit is the last path component.</summary>
    public static SystemdManager Load(IReadOnlyDictionary<string, string> savedPaths, CgroupSetup? setup = null)
    {
        var fs = CgroupManagerFactory.Load(savedPaths, setup);
        var dir = savedPaths.Values.First();
        var unit = Path.GetFileName(dir.TrimEnd('/'));
        var slice = Path.GetFileName(Path.GetDirectoryName(dir.TrimEnd('/')) ?? "");
        return new SystemdManager(new SystemdCgroupPath(slice.EndsWith(".slice") ? slice : "system.slice", unit), fs, null, "", unitExists: true);
    }

    public string Unit => _path.Unit;
    public CgroupMode Mode => _fs.Mode;
    public IReadOnlyDictionary<string, string> Paths => _fs.Paths;

    public void Apply(int pid)
    {
        // A saved container's scope exists already (exec): the process joins its cgroup, as runc does; a second
        // StartTransientUnit would be refused with UnitExists.
        if (_unitExists) { _fs.Apply(pid); return; }
        var req = TransientUnitRequest.For(_path, pid, _initial, Mode == CgroupMode.Unified, _containerId);
        SystemdBus.StartTransientUnit(req);
        WaitForCgroup(pid);
        // Joins the v1 hierarchies systemd does not manage (rdma, net_cls, ...); a no-op where it already put the pid.
        _fs.Apply(pid);
    }

    /// <summary>The job runs asynchronously: wait (bounded) until the scope's cgroup holds the init.</summary>
    private void WaitForCgroup(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (_fs.Exists() && (pid <= 0 || _fs.GetPids().Contains(pid))) return;
            Thread.Sleep(10);
        }
        throw new CgroupException($"cgroup: systemd: unit {_path.Unit} started but its cgroup ({string.Join(", ", Paths.Values.Distinct())}) did not get pid {pid} within 5 s");
    }

    /// <summary>
    /// Limits systemd has a property for go to the unit first (runtime only), then every limit to the files:
    /// systemd re-applies its own view of the unit on a daemon-reload, so that view must be the live one.
    /// </summary>
    public void Set(LinuxResources resources)
    {
        var props = TransientUnitRequest.ResourceProperties(resources, Mode == CgroupMode.Unified).ToList();
        if (props.Count > 0) SystemdBus.SetUnitProperties(_path.Unit, props);
        _fs.Set(resources);
    }
    public IReadOnlyList<int> GetPids() => _fs.GetPids();
    public IReadOnlyList<int> GetAllPids() => _fs.GetAllPids();
    public void Freeze() => _fs.Freeze();
    public void Thaw() => _fs.Thaw();
    public FreezerState GetFreezerState() => _fs.GetFreezerState();
    public void Kill(int signal) => _fs.Kill(signal);
    public bool Exists() => _fs.Exists();
    public CgroupStats GetStats() => _fs.GetStats();
    public bool OomKilled() => _fs.OomKilled();

    public void Destroy()
    {
        // A scope whose processes are gone is collected by systemd anyway; a missing unit is not an error.
        try
        {
            SystemdBus.StopUnit(_path.Unit);
            // The stop is a job: wait (bounded) until systemd has dropped the unit, so that a create with the
            // same name right after this delete does not find it still loaded ("Unit ... already exists").
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (SystemdBus.UnitLoaded(_path.Unit) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        }
        catch (CgroupException e) when (e.Message.Contains("NoSuchUnit")) { }
        _fs.Destroy();
    }
}
