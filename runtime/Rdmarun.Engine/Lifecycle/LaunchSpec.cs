using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// The spec edits of `launch` (one MPI rank per container): the bundle's image and limits, but
/// the launcher's command, cwd, ids and MPI environment, and the host's network, IPC, UTS and
/// (by default) PID namespaces, /tmp and /dev/shm, so ranks find each other exactly as bare
/// processes do. Pure: every input is a parameter, so it is unit-tested without a container.
/// </summary>
public static class LaunchSpec
{
    /// <summary>Variables MPI launchers and fabrics use to wire ranks up; passed through by prefix.</summary>
    public static readonly string[] DefaultPassPrefixes =
        ["OMPI_", "PMIX_", "PMI_", "SLURM_", "UCX_", "OPAL_", "PRTE_", "HYDRA_", "MPIR_", "I_MPI_", "FI_", "NCCL_"];

    /// <summary>Single variables passed through by name.</summary>
    public static readonly string[] DefaultPassNames = ["RDMA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES", "TMPDIR"];

    public sealed record Caller(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Cwd, IReadOnlyDictionary<string, string> Env);

    /// <summary>
    /// What the rank's environment is made of, before the caller's variables are known: the
    /// bundle's env (one entry per name, first position, last value), the prefixes and names
    /// passed from the caller, and --env. A launch template (LAUNCH_TEMPLATE.md) writes these
    /// down so a later rank merges its own caller's variables exactly as <see cref="MergeEnv"/> does.
    /// </summary>
    public sealed record EnvInputs(IReadOnlyList<string> Spec, IReadOnlyList<string> PassPrefixes,
        IReadOnlyList<string> PassNames, IReadOnlyList<string> Set);

    /// <summary>Edits <paramref name="spec"/> for the rank; returns the inputs of its environment.</summary>
    public static EnvInputs Apply(Spec spec, LaunchOptions o, Caller c)
    {
        if (o.Args.Count == 0) throw new RuntimeError("launch: no command given (usage: rdmarun launch [flags] -- PROGRAM [ARGS...])");
        var p = spec.Process ??= new Process();
        p.Args = [.. o.Args];
        p.CommandLine = null;
        p.Terminal = false;
        p.Cwd = c.Cwd;
        var envInputs = EnvInputsOf(p.Env, o);
        p.Env = MergeEnv(envInputs, c.Env);

        var linux = spec.Linux ??= new Linux();
        var namespaces = linux.Namespaces ??= [];
        bool userNs = namespaces.Any(n => n.Type == LinuxNamespaceType.User);
        KeepIds(spec, c, userNs);
        // Open MPI's single-copy shared memory (CMA, process_vm_readv) fails between ranks in
        // different user namespaces; say so up front instead of its warning on every run.
        if (userNs && !p.Env.Any(e => e.StartsWith("OMPI_MCA_btl_vader_single_copy_mechanism=", StringComparison.Ordinal)))
            p.Env.Add("OMPI_MCA_btl_vader_single_copy_mechanism=none");

        // Host network/IPC/UTS: Open MPI's TCP and shared-memory transports and its node
        // detection (hostname) must see what the bare ranks see.
        var hostNs = new List<string> { LinuxNamespaceType.Network, LinuxNamespaceType.Ipc, LinuxNamespaceType.Uts };
        if (!o.PrivatePidNs) hostNs.Add(LinuxNamespaceType.Pid);
        namespaces.RemoveAll(n => hostNs.Contains(n.Type));
        if (o.PrivatePidNs && !namespaces.Any(n => n.Type == LinuxNamespaceType.Pid))
            namespaces.Add(new LinuxNamespace { Type = LinuxNamespaceType.Pid });
        spec.Hostname = null;
        spec.Domainname = null;

        var mounts = spec.Mounts ??= [];
        // Without an own PID/IPC namespace the kernel refuses a fresh proc/mqueue mount to a user
        // namespace that does not own them; the host's are what the rank should see anyway.
        if (!o.PrivatePidNs) ReplaceWithBind(mounts, "/proc", "/proc");
        ReplaceWithBind(mounts, "/dev/mqueue", "/dev/mqueue");
        // The launcher's session directory (PMIx rendezvous, shared-memory segments) lives under
        // TMPDIR or /tmp and /dev/shm: the rank must share them with its launcher and peers.
        if (o.HostTmp)
        {
            ReplaceWithBind(mounts, "/dev/shm", "/dev/shm");
            ReplaceWithBind(mounts, "/tmp", "/tmp");
        }
        if (o.BindCwd && c.Cwd != "/" && !mounts.Any(m => m.Destination == c.Cwd))
            mounts.Add(Bind(c.Cwd, c.Cwd));
        foreach (var (src, dst) in o.Binds) { mounts.RemoveAll(m => m.Destination == dst); mounts.Add(Bind(src, dst)); }

        spec.Annotations ??= [];
        spec.Annotations[LaunchAnnotations.Launcher] = o.LauncherTag;
        return envInputs;
    }

    private static void KeepIds(Spec spec, Caller c, bool userNs)
    {
        var user = spec.Process!.User;
        user.UID = c.Uid;
        user.GID = c.Gid;
        user.Username = null;
        if (!userNs)
        {
            user.AdditionalGids = c.Groups.Where(g => g != c.Gid).ToList();
            return;
        }
        // Rootless: map the caller's ids onto themselves (not onto root), so files the rank
        // writes in the shared cwd and /tmp belong to the user, as with a bare run.
        spec.Linux!.UIDMappings = [new LinuxIDMapping { ContainerID = c.Uid, HostID = c.Uid, Size = 1 }];
        spec.Linux.GIDMappings = [new LinuxIDMapping { ContainerID = c.Gid, HostID = c.Gid, Size = 1 }];
        user.AdditionalGids = null; // setgroups is denied in an unprivileged user namespace
    }

    public static EnvInputs EnvInputsOf(List<string>? specEnv, LaunchOptions o)
    {
        foreach (var e in o.Env)
            if (e.IndexOf('=') <= 0) throw new RuntimeError($"launch --env {e}: expected NAME=VALUE");
        return new EnvInputs(Normalize(specEnv ?? []), [.. DefaultPassPrefixes, .. o.PassPrefixes],
            [.. DefaultPassNames, .. o.PassNames], [.. o.Env]);
    }

    /// <summary>The spec's env, then the caller's passed variables sorted by name, then --env; a later value replaces an earlier one in place.</summary>
    public static List<string> MergeEnv(EnvInputs inputs, IReadOnlyDictionary<string, string> callerEnv)
    {
        var merged = new Dictionary<string, string>();
        var order = new List<string>();
        void Set(string k, string v) { if (!merged.ContainsKey(k)) order.Add(k); merged[k] = v; }
        void SetEntry(string e) { int eq = e.IndexOf('='); if (eq > 0) Set(e[..eq], e[(eq + 1)..]); }
        foreach (var e in inputs.Spec) SetEntry(e);
        foreach (var (k, v) in callerEnv.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (inputs.PassPrefixes.Any(pre => k.StartsWith(pre, StringComparison.Ordinal)) || inputs.PassNames.Contains(k))
                Set(k, v);
        foreach (var e in inputs.Set) SetEntry(e);
        return order.Select(k => $"{k}={merged[k]}").ToList();
    }

    /// <summary>One entry per name at its first position with its last value; entries without a name are dropped (as the merge always did).</summary>
    private static List<string> Normalize(List<string> env) =>
        MergeEnv(new EnvInputs(env, [], [], []), new Dictionary<string, string>());

    private static void ReplaceWithBind(List<Mount> mounts, string destination, string source)
    {
        mounts.RemoveAll(m => m.Destination.TrimEnd('/') == destination);
        if (Directory.Exists(source)) mounts.Add(Bind(source, destination));
    }

    private static Mount Bind(string source, string destination) =>
        new() { Destination = destination, Type = "bind", Source = source, Options = ["rbind", "nosuid", "nodev"] };
}

/// <summary>Annotations `launch` records on its containers.</summary>
public static class LaunchAnnotations
{
    /// <summary>"pid:starttime" of the rdmarun that launched the rank; a later launch removes containers whose launcher died.</summary>
    public const string Launcher = "org.rdmarun.launch.launcher";
}
