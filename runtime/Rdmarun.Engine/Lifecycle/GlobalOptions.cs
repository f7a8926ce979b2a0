namespace Rdmarun.Engine.Lifecycle;

/// <summary>Global flags every command sees (runc's --root, --systemd-cgroup...).</summary>
public sealed class GlobalOptions
{
    public string Root { get; set; } = Container.StateStore.DefaultRoot();
    public bool SystemdCgroup { get; set; }
    public bool Debug { get; set; }
    public string RdmaPolicy { get; set; } = "/etc/rdmarun/rdma.json";
}
