using Tmds.DBus.Protocol;

namespace Rdmarun.Cgroups.Systemd;

/// <summary>The few systemd Manager calls the driver makes, over the system bus (Tmds.DBus.Protocol: no reflection, AOT-safe).</summary>
public static class SystemdBus
{
    private const string Service = "org.freedesktop.systemd1";
    private const string ObjectPath = "/org/freedesktop/systemd1";
    private const string Manager = "org.freedesktop.systemd1.Manager";

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS, else the well-known socket.</summary>
    public static string SystemBusAddress() =>
        Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } a ? a : "unix:path=/run/dbus/system_bus_socket";

    /// <summary>Writes StartTransientUnit(ssa(sv)a(sa(sv))) for <paramref name="req"/>.</summary>
    public static MessageBuffer StartTransientUnitMessage(MessageWriter w, TransientUnitRequest req)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "StartTransientUnit", "ssa(sv)a(sa(sv))", MessageFlags.None);
        w.WriteString(req.Name);
        w.WriteString(req.Mode);
        var props = w.WriteArrayStart(DBusType.Struct);
        foreach (var p in req.Properties)
        {
            w.WriteStructureStart();
            w.WriteString(p.Name);
            WriteVariant(w, p);
        }
        w.WriteArrayEnd(props);
        var aux = w.WriteArrayStart(DBusType.Struct); // no auxiliary units
        w.WriteArrayEnd(aux);
        return w.CreateMessage();
    }

    public static MessageBuffer StopUnitMessage(MessageWriter w, string unit)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "StopUnit", "ss", MessageFlags.None);
        w.WriteString(unit);
        w.WriteString("replace");
        return w.CreateMessage();
    }

    private static void WriteVariant(MessageWriter w, UnitProperty p)
    {
        switch (p.Signature)
        {
            case "s": w.WriteVariantString((string)p.Value); break;
            case "b": w.WriteVariantBool((bool)p.Value); break;
            case "t": w.WriteVariantUInt64((ulong)p.Value); break;
            case "au":
                // A variant is its signature followed by the value.
                w.WriteSignature("au");
                w.WriteArray((uint[])p.Value);
                break;
            default: throw new ArgumentException($"unit property {p.Name}: unsupported D-Bus signature {p.Signature}");
        }
    }

    /// <summary>Starts the unit and returns its job object path; D-Bus errors become <see cref="CgroupException"/>.</summary>
    public static string StartTransientUnit(TransientUnitRequest req) =>
        Call($"start transient unit {req.Name}", w => StartTransientUnitMessage(w, req));

    public static string StopUnit(string unit) => Call($"stop unit {unit}", w => StopUnitMessage(w, unit));

    private static string Call(string what, Func<MessageWriter, MessageBuffer> build)
    {
        var address = SystemBusAddress();
        try
        {
            using var conn = new Connection(address);
            conn.ConnectAsync().AsTask().GetAwaiter().GetResult();
            MessageBuffer msg;
            using (var w = conn.GetMessageWriter()) msg = build(w);
            return conn.CallMethodAsync(msg, static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString(), null)
                .GetAwaiter().GetResult();
        }
        catch (DBusException e)
        {
            throw new CgroupException($"cgroup: systemd: {what}: {e.ErrorName}: {e.ErrorMessage}");
        }
        catch (Exception e) when (e is ConnectException or DisconnectedException or IOException or System.Net.Sockets.SocketException)
        {
            throw new CgroupException($"cgroup: systemd: {what}: cannot talk to the system bus at {address}: {e.Message}");
        }
    }
}
