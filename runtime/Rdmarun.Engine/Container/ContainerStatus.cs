namespace Rdmarun.Engine.Container;

/// <summary>Runtime-spec statuses (state.md) plus runc's "paused".</summary>
public enum ContainerStatus { Creating, Created, Running, Paused, Stopped }

public static class ContainerStatusText
{
    public static string ToSpec(this ContainerStatus s) => s switch
    {
        ContainerStatus.Creating => "creating",
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        _ => "stopped",
    };
}
