using Rdmarun.Engine.Cgroups;
using Rdmarun.Engine.Container;
using Rdmarun.Engine.Diagnostics;
using Rdmarun.Engine.Launch;
using Rdmarun.Engine.Native;
using Rdmarun.Engine.Protocol;
using Rdmarun.OciSpec;

namespace Rdmarun.Engine.Lifecycle;

/// <summary>
/// `create`: from a bundle to a container whose init waits on exec.fifo. On any failure
/// everything done so far is undone: init killed, cgroup removed, state dir deleted.
/// </summary>
public static class Create
{
    public sealed record Result(int Pid, ContainerRecord Record);

    /// <summary><paramref name="loaded"/>: the bundle's spec when the caller already read it (run).</summary>
    public static Result Run(GlobalOptions g, CreateOptions o, Spec? loaded = null)
    {
        var store = new StateStore(g.Root);
        StateStore.ValidateId(o.Id);
        var bundle = Path.GetFullPath(o.Bundle);
        var spec = loaded ?? LoadAndCheck(bundle);
        var rdma = Rdma.RdmaSpecGrant.Apply(spec, g.RdmaPolicy);
        var qos = Net.NetQos.Check(spec, g.RdmaPolicy);
        var roceChild = Net.NetChild.Check(spec, g.RdmaPolicy, rdma.Devices);
        var ipoib = Net.IpoibCheck.Check(spec, rdma);
        var hostCaps = Net.HostNetdevQos.Check(spec, g.RdmaPolicy, qos, rdma.Devices);
        _ = Init.Reaper.Requested(spec.Annotations); // a bad value fails here, before anything exists

        Rdma.RdmaPkeyRemaps.CheckFree(rdma.Granted, o.Id);
        using var stateLock = store.Claim(o.Id);
        FaultPoint.Hit("create.after-claim");
        ContainerCgroup? cgroup = null;
        int initPid = -1;
        Rdma.RdmaNetnsMove? rdmaMove = null;
        Net.NetDevicesMove? netMove = null;
        List<Rdmarun.Rdma.Mlx4PkeyRemap>? pkeyRemaps = null;
        FrameChannel? ch = null;
        ContainerRecord? hostRootfs = null; // the partial record, once it may name a host rootfs mount
        List<Net.HostQdisc>? hostQdiscs = null;
        try
        {
            // A profile libseccomp cannot compile must fail create, not the later start.
            Seccomp.SeccompFilter.Validate(spec.Linux?.Seccomp);
            var rootfs = Path.GetFullPath(Path.Combine(bundle, spec.Root!.Path));
            if (!Directory.Exists(rootfs)) throw new RuntimeError($"root.path: rootfs {rootfs} does not exist or is not a directory");

            // Saved for later commands and sent to the init: the same bytes.
            var specBytes = SpecJson.SerializeToUtf8(spec, JsonLayout.Compact);
            File.WriteAllBytes(store.ConfigOf(o.Id), specBytes);
            var fifo = store.FifoOf(o.Id);
            SyscallException.Check(Libc.mkfifo(fifo, Convert.ToInt32("622", 8)), $"create {fifo}");
            // mkfifo applies the umask; the init may run as a mapped (non-root) user and must be able to write.
            File.SetUnixFileMode(fifo, (UnixFileMode)Convert.ToInt32("622", 8));
            int fifoFd = SyscallException.Check(Libc.open(fifo, LibcConst.O_PATH | LibcConst.O_CLOEXEC, 0), $"open {fifo}");
            FaultPoint.Hit("create.after-fifo");

            if (spec.Process!.Terminal == true && o.ConsoleSocket is null && o.ConsoleFd < 0)
                throw new RuntimeError("cannot allocate tty if rdmarun will detach without setting console socket");
            using var console = ConsoleSocket.Connect(o.ConsoleSocket);
            var ownCgroup = ContainerCgroup.Create(spec, o.Id, g);
            CgroupInUse.ThrowIfBusy(ownCgroup, o.Id); // before it is ours to undo: never destroy another's cgroup
            cgroup = ownCgroup;
            // Saved before the cgroup exists on the host: from here on a killed create is undone by delete --force.
            var partial = new ContainerRecord
            {
                Id = o.Id, Bundle = bundle, Rootfs = rootfs, CgroupPaths = cgroup.Paths, SystemdCgroup = g.SystemdCgroup,
                Annotations = spec.Annotations,
            };
            CreatingRecord.Save(store, partial);
            hostRootfs = partial;
            if (rdma.PkeyRemaps.Count > 0)
            {
                // Recorded (with the maps they replace) before the first write: delete --force undoes a killed create.
                partial.PkeyRemaps = pkeyRemaps = [.. rdma.PkeyRemaps];
                CreatingRecord.Save(store, partial);
                Rdma.RdmaPkeyRemaps.Apply(pkeyRemaps, o.Id);
                FaultPoint.Hit("create.after-pkey-remap");
            }
            var bootstrap = Bootstrap.ForCreate(spec);
            var cfg = new InitConfig
            {
                Id = o.Id, Bundle = bundle, Rootfs = rootfs, NoPivot = o.NoPivot, NoNewKeyring = o.NoNewKeyring,
                PreserveFds = o.PreserveFds, ParentDeathSignal = o.ParentDeathSignal, DumpableForTemplate = o.DumpableForTemplate,
                NewUserNs = bootstrap.NewUserNs,
                NewMountNs = (bootstrap.CloneFlags & Namespaces.CLONE_NEWNS) != 0,
                NewPidNs = (bootstrap.CloneFlags & Namespaces.CLONE_NEWPID) != 0,
                NewCgroupNs = (bootstrap.CloneFlags & Namespaces.CLONE_NEWCGROUP) != 0,
                HooksSync = (spec.Hooks?.Prestart?.Count ?? 0) + (spec.Hooks?.CreateRuntime?.Count ?? 0) > 0,
                CgroupPaths = cgroup.Paths,
                RdmaSysfsVisible = rdma.SysfsVisible?.ToList(),
            };
            // No mount namespace at all (new or joined): the init mounts in the host's mount table,
            // below one rootfs mount placed and recorded here (HostRootfs), and chroots into it.
            cfg.HostMountNs = !cfg.NewMountNs && !bootstrap.Joins.Any(j => j.ProcName == "mnt");
            if (cfg.HostMountNs)
            {
                partial.HostRootfsMount = HostRootfs.Place(rootfs, m => { partial.HostRootfsMount = m; CreatingRecord.Save(store, partial); });
                FaultPoint.Hit("create.after-host-rootfs");
            }
            var launched = InitLauncher.Launch(new LaunchRequest
            {
                Bootstrap = bootstrap,
                Config = cfg,
                Payload = specBytes,
                UidMappings = spec.Linux?.UIDMappings,
                GidMappings = spec.Linux?.GIDMappings,
                FifoFd = fifoFd,
                ConsoleFd = console?.Fd ?? o.ConsoleFd,
                BeforeBootstrap = pid => { cgroup.Apply(pid); FaultPoint.Hit("create.after-cgroup"); },
            });
            Libc.close(fifoFd);
            initPid = launched.Pid;
            ch = launched.Channel;
            FaultPoint.Hit("create.after-launch");
            partial.InitPid = initPid;
            partial.InitStartTime = ProcStat.Read(initPid)?.StartTime ?? 0;
            partial.NamespacePaths = NamespacePaths(spec, initPid);
            rdmaMove = Rdma.RdmaNetnsMove.IntoContainer(rdma.Devices, spec, initPid,
                moving => CreatingRecord.SaveBeforeRdmaMove(store, partial, moving));
            partial.Annotations = spec.Annotations; // now naming any device moved into the container's netns
            netMove = Net.NetDevicesMove.IntoContainer(spec, initPid, qos, moving => { partial.NetDevices = moving; CreatingRecord.Save(store, partial); }, roceChild, ipoib);
            hostQdiscs = Net.HostNetdevQos.Apply(hostCaps, qos, o.Id, caps => { partial.HostQdiscs = caps; CreatingRecord.Save(store, partial); });
            CreatingRecord.Save(store, partial);

            var record = new ContainerRecord
            {
                Id = o.Id, InitPid = initPid, Bundle = bundle, Rootfs = rootfs, Created = DateTime.UtcNow,
                Owner = "", Annotations = spec.Annotations, CgroupPaths = cgroup.Paths,
                NamespacePaths = NamespacePaths(spec, initPid), Rootless = Libc.geteuid() != 0,
                SystemdCgroup = g.SystemdCgroup,
                InitStartTime = ProcStat.Read(initPid)?.StartTime ?? 0,
                HostQdiscs = hostQdiscs,
                NetDevices = netMove?.Moved,
                HostRootfsMount = partial.HostRootfsMount,
                PkeyRemaps = pkeyRemaps,
            };

            while (true)
            {
                var m = InitLauncher.ReceiveMessage(ch) ?? throw new RuntimeError("container init exited during set-up (see its stderr)");
                if (m.Type == InitMessage.Hooks)
                {
                    var state = HookPhases.StateFor(o.Id, HookPhases.CreateHooksStatus, initPid, bundle, spec.Annotations);
                    var tracking = new HookTracking(partial, p => CreatingRecord.Save(store, p), "create");
                    HookPhases.Run(spec.Hooks?.Prestart, HookNames.Prestart, state, tracking);
                    HookPhases.Run(spec.Hooks?.CreateRuntime, HookNames.CreateRuntime, state, tracking);
                    FaultPoint.Hit("create.after-hooks");
                    InitLauncher.SendMessage(ch, InitMessage.Resume);
                }
                else if (m.Type == InitMessage.Ready) break;
                else throw new RuntimeError($"init: unexpected message {m.Type}");
            }
            ch.Dispose();
            ch = null;
            FaultPoint.Hit("create.after-ready");
            cgroup.Set(DefaultDeviceRules.Complete(spec));
            store.Save(record);
            FaultPoint.Hit("create.after-save");
            if (o.PidFile is not null) PidFile.Write(o.PidFile, initPid);
            // Past the last failure point: the moves stand, and their netns fds must not outlive create (run).
            netMove?.Keep();
            netMove = null;
            rdmaMove?.Keep(); // exclusive mode: the same for the RDMA devices, which the kernel returns only when the netns dies
            rdmaMove = null;
            return new Result(initPid, record);
        }
        catch
        {
            ch?.Dispose();
            try { Net.HostNetdevQos.Remove(hostQdiscs); } catch { /* the original error matters more */ }
            try { rdmaMove?.Release(); } catch { /* the original error matters more */ }
            try { netMove?.Release(); } catch { /* the original error matters more */ }
            try { Rdma.RdmaPkeyRemaps.Restore(pkeyRemaps, o.Id); } catch { /* the original error matters more */ }
            if (initPid > 0) { Libc.kill(initPid, LibcConst.SIGKILL); WaitGone(initPid); }
            try { HostRootfs.Remove(hostRootfs?.HostRootfsMount); } catch { /* the original error matters more */ }
            try { cgroup?.Destroy(); } catch { /* the original error matters more */ }
            store.Remove(o.Id);
            throw;
        }
    }

    public static Spec LoadAndCheck(string bundle)
    {
        if (!Directory.Exists(bundle)) throw new RuntimeError($"bundle {bundle} does not exist");
        var spec = SpecJson.LoadSpec(bundle);
        _ = SpecValidator.ValidateOrThrow(spec, bundle); // warnings (e.g. relative mount destinations) are accepted as runc does
        if (spec.Root is null || string.IsNullOrEmpty(spec.Root.Path)) throw new RuntimeError("root.path: the spec has no root filesystem");
        if (spec.Process is null) throw new RuntimeError("process: the spec has no process to run");
        return spec;
    }

    /// <summary>The namespaces exec must join: the spec's paths, or the init's /proc entries for new ones.</summary>
    private static Dictionary<string, string> NamespacePaths(Spec spec, int pid)
    {
        var d = new Dictionary<string, string>();
        foreach (var ns in spec.Linux?.Namespaces ?? [])
            d[ns.Type] = string.IsNullOrEmpty(ns.Path) ? $"/proc/{pid}/ns/{Namespaces.ProcName(ns.Type)}" : ns.Path;
        return d;
    }

    /// <summary>Waits (briefly) until a killed init is gone; it is not our child, so poll /proc.</summary>
    public static void WaitGone(int pid)
    {
        for (int i = 0; i < 500; i++)
        {
            var s = ProcStat.Read(pid);
            if (s is null || s.Value.State is 'Z' or 'X') return;
            Thread.Sleep(2);
        }
    }
}
