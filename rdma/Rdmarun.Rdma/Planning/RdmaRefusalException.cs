namespace Rdmarun.Rdma;

/// <summary>A request the planner refuses; the message names the device or key and the policy file.</summary>
public sealed class RdmaRefusalException(RdmaRefusalReason reason, string message) : Exception(message)
{
    public RdmaRefusalReason Reason { get; } = reason;
}

public enum RdmaRefusalReason { DeviceNotPresent, DeviceNotInPolicy, NoDeviceAvailable, LimitOverPolicy, PkeyNotAllowed, PkeyDeviceNotGranted, PkeyTableNotRestricted, MadNotAllowed }
