using Rdmarun.OciSpec;

namespace Rdmarun.Cli.Commands;

/// <summary>`features`: exactly what this build implements (runtime-spec features.md), nothing more.</summary>
public static class FeaturesCommand
{
    public static int Run()
    {
        var f = new Features
        {
            OCIVersionMin = "1.0.0",
            OCIVersionMax = SpecVersion.Current,
            Hooks = [.. HookNames.All],
            MountOptions = ["async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime",
                "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand", "norelatime",
                "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "relatime", "ro", "rprivate", "rshared",
                "rslave", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
                "unbindable"],
            Linux = new LinuxFeatures
            {
                Namespaces = [.. LinuxNamespaceType.All],
                Capabilities = [.. Capabilities.Names],
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = true },
                Seccomp = Rdmarun.Engine.Seccomp.SeccompFeatureList.Get(),
                Apparmor = new ApparmorFeatures { Enabled = false },
                Selinux = new SelinuxFeatures { Enabled = false },
                NetDevices = new NetDevicesFeatures { Enabled = true },
            },
            Annotations = new Dictionary<string, string>
            {
                ["org.rdmarun.version"] = Program.Version,
                ["org.opencontainers.runc.checkpoint.enabled"] = "false",
            },
        };
        Console.WriteLine(SpecJson.Serialize(f));
        return 0;
    }
}
