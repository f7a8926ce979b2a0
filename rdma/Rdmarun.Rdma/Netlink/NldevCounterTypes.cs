namespace Rdmarun.Rdma.Netlink;

/// <summary>enum rdma_nl_counter_mode: how a port binds QPs to counters.</summary>
public enum RdmaCounterMode : uint { None = 0, Auto = 1, Manual = 2 }

/// <summary>One QP of an RDMA_NLDEV_CMD_RES_QP_GET dump. Port is null until the QP reached INIT; Pid is null for kernel QPs.</summary>
public sealed record NldevQp(uint Lqpn, uint? Port, uint? Pid, byte? Type, byte? State);

/// <summary>One counter of an RDMA_NLDEV_CMD_STAT_GET dump: its bound QPs and the driver's named values.</summary>
public sealed record NldevCounter(
    uint Id,
    uint Port,
    RdmaCounterMode Mode,
    IReadOnlyList<uint> Qpns,
    IReadOnlyList<KeyValuePair<string, ulong>> Values);
