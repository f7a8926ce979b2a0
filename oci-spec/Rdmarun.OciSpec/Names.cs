namespace Rdmarun.OciSpec;

/// <summary>Values of <see cref="LinuxNamespace.Type"/>.</summary>
public static class LinuxNamespaceType
{
    public const string Pid = "pid";
    public const string Network = "network";
    public const string Mount = "mount";
    public const string Ipc = "ipc";
    public const string Uts = "uts";
    public const string User = "user";
    public const string Cgroup = "cgroup";
    public const string Time = "time";

    /// <summary>All types the spec defines, in runc's order.</summary>
    public static readonly IReadOnlyList<string> All = [Pid, Network, Mount, Ipc, Uts, User, Cgroup, Time];
}

/// <summary>Values of <see cref="State.Status"/>.</summary>
public static class ContainerState
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    /// <summary>runc reports a frozen container as paused (not in the spec).</summary>
    public const string Paused = "paused";
    public const string Stopped = "stopped";
}

/// <summary>Values of <see cref="Scheduler.Policy"/>.</summary>
public static class LinuxSchedulerPolicy
{
    public const string Other = "SCHED_OTHER";
    public const string Fifo = "SCHED_FIFO";
    public const string RR = "SCHED_RR";
    public const string Batch = "SCHED_BATCH";
    public const string Iso = "SCHED_ISO";
    public const string Idle = "SCHED_IDLE";
    public const string Deadline = "SCHED_DEADLINE";
}

/// <summary>Values of <see cref="LinuxIOPriority.Class"/>.</summary>
public static class IOPriorityClass
{
    public const string RT = "IOPRIO_CLASS_RT";
    public const string BE = "IOPRIO_CLASS_BE";
    public const string Idle = "IOPRIO_CLASS_IDLE";
}

/// <summary>Values of <see cref="LinuxSeccomp.DefaultAction"/> and <see cref="LinuxSyscall.Action"/>.</summary>
public static class LinuxSeccompAction
{
    public const string Kill = "SCMP_ACT_KILL";
    public const string KillProcess = "SCMP_ACT_KILL_PROCESS";
    public const string KillThread = "SCMP_ACT_KILL_THREAD";
    public const string Trap = "SCMP_ACT_TRAP";
    public const string Errno = "SCMP_ACT_ERRNO";
    public const string Trace = "SCMP_ACT_TRACE";
    public const string Allow = "SCMP_ACT_ALLOW";
    public const string Log = "SCMP_ACT_LOG";
    public const string Notify = "SCMP_ACT_NOTIFY";
}

/// <summary>Hook names as listed by <c>features</c>.</summary>
public static class HookNames
{
    public const string Prestart = "prestart";
    public const string CreateRuntime = "createRuntime";
    public const string CreateContainer = "createContainer";
    public const string StartContainer = "startContainer";
    public const string Poststart = "poststart";
    public const string Poststop = "poststop";
    public static readonly IReadOnlyList<string> All = [Prestart, CreateRuntime, CreateContainer, StartContainer, Poststart, Poststop];
}
