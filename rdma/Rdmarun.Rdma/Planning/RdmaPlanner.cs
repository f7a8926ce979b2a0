using System.Globalization;

namespace Rdmarun.Rdma;

/// <summary>Turns a request into a grant under a policy and the devices present. Pure: reads nothing, writes nothing.</summary>
public static class RdmaPlanner
{
    const string SysInfiniband = "/sys/class/infiniband/";
    const string SysVerbs = "/sys/class/infiniband_verbs/";
    const string SysMad = "/sys/class/infiniband_mad/";

    public static RdmaGrant Plan(RdmaRequest request, RdmaPolicy policy, RdmaInventory inventory)
    {
        var warnings = new List<string>();
        var selected = SelectDevices(request, policy, inventory);
        foreach (var key in request.Pkeys)
            if (key.Device is { } named && !selected.Any(s => s.Device.Name == named))
                throw new RdmaRefusalException(RdmaRefusalReason.PkeyDeviceNotGranted,
                    $"rdma: p_key {key} (from {request.PkeysSource}) names device {named}, which this container is not granted");
        var granted = new List<RdmaGrantedDevice>();
        var maxEntries = new List<RdmaMaxEntry>();
        var remaps = new List<Mlx4PkeyRemap>();

        foreach (var (device, devicePolicy) in selected)
        {
            var pkeys = GrantPkeys(request, policy, devicePolicy, device, warnings);
            if (pkeys is not null) CheckPkeyTables(device, pkeys, request, policy, inventory, remaps);
            var umad = request.Mad >= RdmaMadAccess.Umad;
            var issm = request.Mad == RdmaMadAccess.UmadAndIssm;
            if (umad && !policy.MadAllowed(devicePolicy))
                throw new RdmaRefusalException(RdmaRefusalReason.MadNotAllowed,
                    $"rdma: management datagram access (umad) to device {device.Name} is not allowed by policy {policy.Source}");
            if (issm && !policy.SmAllowed(devicePolicy))
                throw new RdmaRefusalException(RdmaRefusalReason.MadNotAllowed,
                    $"rdma: subnet manager access (issm) to device {device.Name} is not allowed by policy {policy.Source}");
            granted.Add(new RdmaGrantedDevice(device.Name, device, pkeys, umad, issm));
            if (Limit(request, policy, devicePolicy, device.Name) is { } entry) maxEntries.Add(entry);
        }

        // Spec limits for present devices outside the grant still apply: a limit only ever restricts.
        foreach (var (name, limit) in request.Limits.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (granted.Any(g => g.Name == name)) continue;
            if (inventory.Find(name) is null)
                throw NotPresent(name, RdmaRequestParser.SpecRdmaPath, inventory);
            maxEntries.Add(new RdmaMaxEntry(name, limit.HcaHandles, limit.HcaObjects));
        }

        var nodes = Nodes(granted, inventory, warnings);
        var memlock = granted.Count > 0 ? GrantMemlock(request, policy) : (ulong?)null;

        return new RdmaGrant
        {
            Requested = !request.IsEmpty,
            Devices = granted,
            DeviceNodes = nodes,
            DeviceRules = nodes.Select(n => new RdmaDeviceRule(n.Type, n.Major, n.Minor, "rwm")).ToList(),
            RdmaMax = maxEntries,
            Memlock = memlock,
            HiddenPaths = Hidden(granted, inventory),
            PkeyRemaps = remaps,
            Warnings = warnings,
        };
    }

    static List<(RdmaDevice Device, RdmaDevicePolicy Policy)> SelectDevices(RdmaRequest request, RdmaPolicy policy, RdmaInventory inventory)
    {
        var list = new List<(RdmaDevice, RdmaDevicePolicy)>();
        switch (request.Selection)
        {
            case RdmaDeviceSelection.All:
                foreach (var d in inventory.Devices)
                    if (policy.ForDevice(d.Name) is { } p) list.Add((d, p));
                if (list.Count == 0)
                    throw new RdmaRefusalException(RdmaRefusalReason.NoDeviceAvailable,
                        $"rdma: {request.DevicesSource} asks for all devices, but none is both present ({Names(inventory)}) and allowed by policy {policy.Source} ({string.Join(", ", policy.AllowedNames)})");
                break;
            case RdmaDeviceSelection.Listed:
                foreach (var name in request.Devices)
                {
                    var device = inventory.Find(name) ?? throw NotPresent(name, request.DevicesSource, inventory);
                    var p = policy.ForDevice(name) ?? throw new RdmaRefusalException(RdmaRefusalReason.DeviceNotInPolicy,
                        $"rdma: device {name} (from {request.DevicesSource}) is not allowed by policy {policy.Source} (allowed: {string.Join(", ", policy.AllowedNames)})");
                    list.Add((device, p));
                }
                break;
        }
        return list;
    }

    static RdmaRefusalException NotPresent(string name, string source, RdmaInventory inventory)
        => new(RdmaRefusalReason.DeviceNotPresent,
            $"rdma: device {name} (from {source}) is not present on this host (present: {Names(inventory)})");

    static string Names(RdmaInventory inventory)
        => inventory.Devices.Count == 0 ? "none" : string.Join(", ", inventory.Devices.Select(d => d.Name));

    /// <summary>
    /// The P_Keys <paramref name="device"/> may use under the request and policy (null: unrestricted), with the
    /// planner's refusals; for the RDMA hook, whose grant comes from config.json's nodes rather than a plan.
    /// </summary>
    public static IReadOnlyList<ushort>? AllowedPkeys(RdmaRequest request, RdmaPolicy policy, RdmaDevice device)
    {
        var devicePolicy = policy.ForDevice(device.Name) ?? throw new RdmaRefusalException(RdmaRefusalReason.DeviceNotInPolicy,
            $"rdma: device {device.Name} is not allowed by policy {policy.Source} (allowed: {string.Join(", ", policy.AllowedNames)})");
        return GrantPkeys(request, policy, devicePolicy, device, []);
    }

    static IReadOnlyList<ushort>? GrantPkeys(RdmaRequest request, RdmaPolicy policy, RdmaDevicePolicy devicePolicy, RdmaDevice device, List<string> warnings)
    {
        var wanted = request.Pkeys.Where(k => k.Device is null || k.Device == device.Name).Select(k => k.Value).Distinct().ToList();
        if (wanted.Count == 0) return devicePolicy.Pkeys;

        foreach (var key in wanted)
        {
            if (devicePolicy.Pkeys is { } allowed && !allowed.Any(a => Pkey.Covers(a, key)))
                throw new RdmaRefusalException(RdmaRefusalReason.PkeyNotAllowed,
                    $"rdma: p_key {Pkey.Format(key)} (from {request.PkeysSource}) on device {device.Name} is not allowed by policy {policy.Source} (allowed: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed.Select(Pkey.Format)))})");
            var ib = device.Ports.Where(p => p.LinkLayer == RdmaLinkLayer.InfiniBand).ToList();
            if (ib.Count > 0 && !ib.Any(p => p.UsedPkeys.Any(e => e.Partition == (key & 0x7fff))))
                warnings.Add($"rdma: p_key {Pkey.Format(key)} is not in the p_key table of any port of {device.Name}");
        }
        return wanted;
    }

    /// <summary>
    /// A P_Key restriction means nothing while the port's table still holds other keys: verbs use any table
    /// entry (ibv_query_pkey, then the QP's pkey_index), and IPoIB children can be made for any of them. An mlx4
    /// VF's table is the PF's pkey_idx mapping, which rdmarun rewrites (planned here, written by the runtime once
    /// the container's record can name it for the undo). Other tables (mlx5 VFs, PFs) come from the subnet
    /// manager, so a port exposing a key the container may not use is refused; the fix is on the fabric side.
    /// </summary>
    static void CheckPkeyTables(RdmaDevice device, IReadOnlyList<ushort> allowed, RdmaRequest request, RdmaPolicy policy,
        RdmaInventory inventory, List<Mlx4PkeyRemap> remaps)
    {
        foreach (var port in device.Ports.Where(p => p.LinkLayer == RdmaLinkLayer.InfiniBand))
        {
            var extra = port.UsedPkeys.Where(e => !allowed.Any(a => Pkey.Covers(a, e.Value))).Select(e => e.Value).ToList();
            if (extra.Count == 0) continue;
            var source = request.Pkeys.Count > 0 ? request.PkeysSource : $"policy {policy.Source}";
            var exposes = $"rdma: device {device.Name} port {port.Number} exposes p_key{(extra.Count > 1 ? "s" : "")} {string.Join(", ", extra.Select(Pkey.Format))}, which this container may not use (allowed from {source}: {string.Join(", ", allowed.Select(Pkey.Format))})";
            if (Mlx4PkeyRemap.Find(inventory, device, port.Number) is { } vf)
            {
                var where = $"{vf.Pf.Name} iov/{vf.Map.PciSlot}/ports/{vf.Map.Port}/pkey_idx";
                if (!vf.Map.Writable)
                    throw new RdmaRefusalException(RdmaRefusalReason.PkeyTableNotRestricted,
                        $"{exposes}, and its mlx4 p_key mapping ({where}) is not writable (an Ethernet port, or sysfs read-only here), so rdmarun cannot restrict it");
                remaps.Add(Mlx4PkeyRemap.Plan(device, port.Number, vf.Pf, vf.Map, allowed)
                    ?? throw new RdmaRefusalException(RdmaRefusalReason.PkeyTableNotRestricted,
                        $"{exposes}, and its mlx4 p_key mapping ({where}) has {vf.Map.VirtualToPhysical.Count} slots, fewer than the allowed keys in the port's table"));
                continue;
            }
            throw new RdmaRefusalException(RdmaRefusalReason.PkeyTableNotRestricted,
                $"{exposes}, and rdmarun cannot restrict the p_key table of driver {device.DriverName}; grant a VF whose table the subnet manager limits to allowed keys");
        }
    }

    static RdmaMaxEntry? Limit(RdmaRequest request, RdmaPolicy policy, RdmaDevicePolicy devicePolicy, string name)
    {
        request.Limits.TryGetValue(name, out var spec);
        var handles = spec?.HcaHandles ?? request.HcaHandles ?? policy.DefaultHandles(devicePolicy);
        var objects = spec?.HcaObjects ?? request.HcaObjects ?? policy.DefaultObjects(devicePolicy);
        var maxHandles = policy.MaxHandles(devicePolicy);
        var maxObjects = policy.MaxObjects(devicePolicy);

        // Under a policy maximum an unlimited request is capped to the maximum, an explicit number above it refused.
        if (maxHandles is { } mh)
        {
            if (handles > mh) throw OverLimit("hcaHandles", handles.Value, mh, name, policy);
            handles ??= mh;
        }
        if (maxObjects is { } mo)
        {
            if (objects > mo) throw OverLimit("hcaObjects", objects.Value, mo, name, policy);
            objects ??= mo;
        }
        return handles is null && objects is null ? null : new RdmaMaxEntry(name, handles, objects);
    }

    static RdmaRefusalException OverLimit(string what, uint value, uint max, string device, RdmaPolicy policy)
        => new(RdmaRefusalReason.LimitOverPolicy,
            $"rdma: {what} {value.ToString(CultureInfo.InvariantCulture)} for device {device} exceeds the maximum {max} allowed by policy {policy.Source}");

    static ulong GrantMemlock(RdmaRequest request, RdmaPolicy policy)
    {
        var value = request.Memlock ?? policy.Memlock;
        if (policy.MaxMemlock is { } max && value > max)
            throw new RdmaRefusalException(RdmaRefusalReason.LimitOverPolicy,
                $"rdma: memlock {Memlock.Format(value)} exceeds the maximum {Memlock.Format(max)} allowed by policy {policy.Source}");
        return value;
    }

    static List<RdmaDeviceNode> Nodes(List<RdmaGrantedDevice> granted, RdmaInventory inventory, List<string> warnings)
    {
        var nodes = new List<RdmaDeviceNode>();
        foreach (var g in granted)
        {
            var uverbs = g.Device.CharDevices.Where(c => c.Kind == RdmaCharDeviceKind.Uverbs).ToList();
            if (uverbs.Count == 0) warnings.Add($"rdma: device {g.Name} has no uverbs node (is ib_uverbs loaded?)");
            var chosen = uverbs.AsEnumerable();
            if (g.Umad) chosen = chosen.Concat(g.Device.CharDevices.Where(c => c.Kind == RdmaCharDeviceKind.Umad));
            if (g.Issm) chosen = chosen.Concat(g.Device.CharDevices.Where(c => c.Kind == RdmaCharDeviceKind.Issm));
            if (g.Umad && !g.Device.CharDevices.Any(c => c.Kind == RdmaCharDeviceKind.Umad))
                warnings.Add($"rdma: device {g.Name} has no umad node (is ib_umad loaded?)");
            nodes.AddRange(chosen.Select(Node));
        }
        if (granted.Count > 0)
        {
            // rdma_cm is global: librdmacm needs it for any connection setup on any device.
            if (inventory.RdmaCm is { } cm) nodes.Add(Node(cm));
            else warnings.Add("rdma: /dev/infiniband/rdma_cm is not available (is rdma_ucm loaded?)");
        }
        return nodes;
    }

    static RdmaDeviceNode Node(RdmaCharDevice c) => new(c.Path, 'c', c.Major, c.Minor, RdmaDeviceNode.DefaultMode);

    /// <summary>
    /// What a container must not see in shared mode. libibverbs enumerates /sys/class/infiniband_verbs and then
    /// reads /sys/class/infiniband/&lt;ibdev&gt;, so masking both hides a device from ibv_devices.
    /// </summary>
    static List<string> Hidden(List<RdmaGrantedDevice> granted, RdmaInventory inventory)
    {
        var hidden = new List<string>();
        foreach (var device in inventory.Devices)
        {
            var g = granted.FirstOrDefault(x => x.Name == device.Name);
            if (g is null) hidden.Add(SysInfiniband + device.Name);
            foreach (var c in device.CharDevices)
            {
                var keep = g is not null && c.Kind switch
                {
                    RdmaCharDeviceKind.Uverbs => true,
                    RdmaCharDeviceKind.Umad => g.Umad,
                    RdmaCharDeviceKind.Issm => g.Issm,
                    _ => false,
                };
                if (keep) continue;
                hidden.Add((c.Kind == RdmaCharDeviceKind.Uverbs ? SysVerbs : SysMad) + c.Name);
                hidden.Add(c.Path);
            }
        }
        if (granted.Count == 0 && inventory.RdmaCm is { } cm) hidden.Add(cm.Path);
        return hidden;
    }
}
