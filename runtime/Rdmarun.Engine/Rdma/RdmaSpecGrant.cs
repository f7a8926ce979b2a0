using Rdmarun.OciSpec;
using Rdmarun.Rdma;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// `create`'s first RDMA step, run before anything exists so a refusal leaves nothing: reads what the container
/// asks for (linux.resources.rdma, org.rdmarun.rdma.* annotations, RDMA_VISIBLE_DEVICES / RDMA_PKEYS), plans it
/// under the policy and writes the grant into the spec itself. Everything later (device nodes, device cgroup,
/// rdma.max, rlimits, saved config) then follows from the spec like any other setting.
/// </summary>
public static class RdmaSpecGrant
{
    /// <summary>Comma list of the granted device names, written by the runtime (never read as a request).</summary>
    public const string GrantedAnnotation = "org.rdmarun.rdma.granted";
    /// <summary>Comma list of the device nodes the grant added to linux.devices.</summary>
    public const string GrantedNodesAnnotation = "org.rdmarun.rdma.granted-nodes";
    /// <summary>Granted P_Keys per device ("mlx5_0:0x8001"), only when restricted.</summary>
    public const string GrantedPkeysAnnotation = "org.rdmarun.rdma.granted-pkeys";

    public sealed record Outcome(
        IReadOnlyList<string> Devices,
        IReadOnlyList<string>? SysfsVisible,
        IReadOnlyList<string> Warnings)
    {
        /// <summary>The granted devices with their P_Key allowances (for IPoIB children).</summary>
        public IReadOnlyList<RdmaGrantedDevice> Granted { get; init; } = [];

        /// <summary>mlx4 VF P_Key maps create must rewrite (recorded first) and delete must restore.</summary>
        public IReadOnlyList<Mlx4PkeyRemap> PkeyRemaps { get; init; } = [];
    }

    /// <summary>Nothing granted and nothing to filter.</summary>
    static readonly Outcome Nothing = new([], null, []);

    /// <param name="sysRoot">Where sysfs is read from: "/" in production, a fixture tree in tests.</param>
    /// <returns>
    /// The granted devices and <see cref="Outcome.SysfsVisible"/>: the /sys/class entries (device and node
    /// names) the container may see, or null when /sys/class must not be filtered.
    /// </returns>
    public static Outcome Apply(Spec spec, string policyPath, string sysRoot = "/")
    {
        try
        {
            return ApplyCore(spec, policyPath, sysRoot);
        }
        catch (Exception e) when (e is RdmaRefusalException or RdmaRequestException or RdmaPolicyException)
        {
            throw new RuntimeError(e.Message, e);
        }
    }

    static Outcome ApplyCore(Spec spec, string policyPath, string sysRoot)
    {
        // Only the runtime writes the record of a grant: a spec's own copy would make delete move devices.
        foreach (var key in new[] { GrantedAnnotation, GrantedNodesAnnotation, GrantedPkeysAnnotation }) spec.Annotations?.Remove(key);
        var request = RdmaRequestParser.Parse(SpecLimits(spec), spec.Annotations, spec.Process?.Env);
        if (request.IsEmpty) return Ungranted(spec, policyPath, sysRoot);

        var host = RdmaHostPolicy.Load(policyPath);
        var inventory = new SysfsRdmaDiscovery(sysRoot).Discover();
        var grant = RdmaPlanner.Plan(request, host.Policy, inventory);

        WriteDevices(spec, grant);
        WriteLimits(spec, grant);
        WriteMemlock(spec, grant, request);
        WriteAnnotations(spec, grant);
        foreach (var w in grant.Warnings) Console.Error.WriteLine(w);

        var visible = grant.Devices.Select(d => d.Name)
            .Concat(grant.DeviceNodes.Select(n => Path.GetFileName(n.Path)).Where(n => n != "rdma_cm"))
            .ToList();
        return new Outcome(grant.Devices.Select(d => d.Name).ToList(), visible, grant.Warnings)
        {
            Granted = grant.Devices,
            PkeyRemaps = grant.PkeyRemaps,
        };
    }

    /// <summary>
    /// A container that asked for nothing sees no RDMA device (shared mode shows every device in every netns),
    /// unless the policy turns that off or the spec lists /dev/infiniband nodes itself (its author manages RDMA
    /// by hand). Hosts without RDMA skip even the policy read.
    /// </summary>
    static Outcome Ungranted(Spec spec, string policyPath, string sysRoot)
    {
        if (!HostHasRdma(sysRoot)) return Nothing;
        if ((spec.Linux?.Devices ?? []).Any(d => d.Path.StartsWith("/dev/infiniband/", StringComparison.Ordinal))) return Nothing;
        return RdmaHostPolicy.Load(policyPath).HideUngranted ? new Outcome([], [], []) : Nothing;
    }

    static bool HostHasRdma(string sysRoot)
    {
        foreach (var cls in RdmaSysfsFilter.Classes)
        {
            var dir = Path.Combine(sysRoot, "sys", "class", cls);
            try
            {
                if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any(e => Path.GetFileName(e) != "abi_version")) return true;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return false;
    }

    static Dictionary<string, RdmaLimit>? SpecLimits(Spec spec)
        => spec.Linux?.Resources?.Rdma?.ToDictionary(kv => kv.Key, kv => new RdmaLimit(kv.Value?.HcaHandles, kv.Value?.HcaObjects), StringComparer.Ordinal);

    static void WriteDevices(Spec spec, RdmaGrant grant)
    {
        if (grant.DeviceNodes.Count == 0) return;
        var linux = spec.Linux ??= new Linux();
        var devices = linux.Devices ??= [];
        foreach (var n in grant.DeviceNodes)
        {
            // The grant's numbers are the host's truth: replace an entry of the same path instead of adding a twin.
            devices.RemoveAll(d => d.Path == n.Path);
            devices.Add(new LinuxDevice { Path = n.Path, Type = n.Type.ToString(), Major = n.Major, Minor = n.Minor, FileMode = n.FileMode, UID = 0, GID = 0 });
        }
        var resources = linux.Resources ??= new LinuxResources();
        var rules = resources.Devices ??= [];
        foreach (var r in grant.DeviceRules)
            rules.Add(new LinuxDeviceCgroup { Allow = true, Type = r.Type.ToString(), Major = r.Major, Minor = r.Minor, Access = r.Access });
    }

    static void WriteLimits(Spec spec, RdmaGrant grant)
    {
        if (grant.RdmaMax.Count == 0) return;
        var resources = (spec.Linux ??= new Linux()).Resources ??= new LinuxResources();
        var rdma = resources.Rdma ??= new Dictionary<string, LinuxRdma>(StringComparer.Ordinal);
        foreach (var m in grant.RdmaMax)
            rdma[m.Device] = new LinuxRdma { HcaHandles = m.HcaHandles, HcaObjects = m.HcaObjects };
    }

    /// <summary>
    /// RLIMIT_MEMLOCK: an explicit memlock annotation is taken as is; the policy's default only ever raises the
    /// spec's own value (a spec asking for more than the default keeps it).
    /// </summary>
    static void WriteMemlock(Spec spec, RdmaGrant grant, RdmaRequest request)
    {
        if (grant.Memlock is not { } value) return;
        var process = spec.Process ??= new Process();
        var rlimits = process.Rlimits ??= [];
        var existing = rlimits.LastOrDefault(r => r.Type == "RLIMIT_MEMLOCK");
        if (request.Memlock is null && existing is not null && existing.Soft >= value && existing.Hard >= value) return;
        rlimits.RemoveAll(r => r.Type == "RLIMIT_MEMLOCK");
        rlimits.Add(new POSIXRlimit { Type = "RLIMIT_MEMLOCK", Soft = value, Hard = value });
    }

    static void WriteAnnotations(Spec spec, RdmaGrant grant)
    {
        var a = spec.Annotations ??= new Dictionary<string, string>();
        a[GrantedAnnotation] = grant.Devices.Count == 0 ? "none" : string.Join(",", grant.Devices.Select(d => d.Name));
        if (grant.DeviceNodes.Count > 0) a[GrantedNodesAnnotation] = string.Join(",", grant.DeviceNodes.Select(n => n.Path));
        else a.Remove(GrantedNodesAnnotation);
        var pkeys = grant.Devices.Where(d => d.Pkeys is not null)
            .SelectMany(d => d.Pkeys!.Select(k => $"{d.Name}:{Pkey.Format(k)}")).ToList();
        if (pkeys.Count > 0) a[GrantedPkeysAnnotation] = string.Join(",", pkeys);
        else a.Remove(GrantedPkeysAnnotation);
    }

    /// <summary>The granted device names recorded by <see cref="Apply"/>, from a spec's or record's annotations.</summary>
    public static IReadOnlyList<string> GrantedDevices(IReadOnlyDictionary<string, string>? annotations)
        => annotations is not null && annotations.TryGetValue(GrantedAnnotation, out var v) && v != "none"
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
