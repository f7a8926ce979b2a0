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
        WriteProperties(w, req.Properties);
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

    /// <summary>SetUnitProperties(sba(sv)), runtime=true: limits changed by `update` stay in systemd's view of the unit.</summary>
    public static MessageBuffer SetUnitPropertiesMessage(MessageWriter w, string unit, IReadOnlyList<UnitProperty> properties)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "SetUnitProperties", "sba(sv)", MessageFlags.None);
        w.WriteString(unit);
        w.WriteBool(true);
        WriteProperties(w, properties);
        return w.CreateMessage();
    }

    public static MessageBuffer GetUnitMessage(MessageWriter w, string unit)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "GetUnit", "s", MessageFlags.None);
        w.WriteString(unit);
        return w.CreateMessage();
    }

    private static void WriteProperties(MessageWriter w, IReadOnlyList<UnitProperty> properties)
    {
        var props = w.WriteArrayStart(DBusType.Struct);
        foreach (var p in properties)
        {
            w.WriteStructureStart();
            w.WriteString(p.Name);
            WriteVariant(w, p);
        }
        w.WriteArrayEnd(props);
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

    public static void SetUnitProperties(string unit, IReadOnlyList<UnitProperty> properties) =>
        Call($"set properties of unit {unit}", w => SetUnitPropertiesMessage(w, unit, properties), static (m, _) => "");

    /// <summary>Whether systemd still has the unit loaded (GetUnit answers NoSuchUnit once it is gone).</summary>
    public static bool UnitLoaded(string unit)
    {
        try { Call($"get unit {unit}", w => GetUnitMessage(w, unit)); return true; }
        catch (CgroupException e) when (e.Message.Contains("NoSuchUnit")) { return false; }
    }

    private static string Call(string what, Func<MessageWriter, MessageBuffer> build) =>
        Call(what, build, static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString());

    private static string Call(string what, Func<MessageWriter, MessageBuffer> build, MessageValueReader<string> reader)
    {
        var address = SystemBusAddress();
        try
        {
            using var conn = new Connection(address);
            conn.ConnectAsync().AsTask().GetAwaiter().GetResult();
            // The writer lives until the reply is in: disposing it earlier recycled the message's buffer, and
            // the call was never sent (seen against a real bus: Hello answered, then nothing, a hang).
            using var w = conn.GetMessageWriter();
            var msg = build(w);
            return conn.CallMethodAsync(msg, reader, null).GetAwaiter().GetResult();
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
