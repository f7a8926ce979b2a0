using Tmds.DBus.Protocol;

namespace Rdmarun.Cgroups.Systemd;

/// <summary>The few systemd Manager calls the driver makes, over the system bus (Tmds.DBus.Protocol: no reflection, AOT-safe).</summary>
public static class SystemdBus
{
    /// <summary>
    /// Writes one message. MessageWriter is a mutable ref struct, so it goes by ref everywhere: a copy writes at
    /// the caller's offset without moving it, and the caller then writes over those bytes (a StartTransientUnit
    /// body lost its property array that way and dbus-daemon dropped the connection on the malformed message).
    /// </summary>
    public delegate MessageBuffer MessageBuilder(ref MessageWriter w);

    private const string Service = "org.freedesktop.systemd1";
    private const string ObjectPath = "/org/freedesktop/systemd1";
    private const string Manager = "org.freedesktop.systemd1.Manager";

    /// <summary>
    /// How long one call (connect, authenticate, send, reply) may take. A bus or a systemd that never answers
    /// would otherwise hang the verb, and its caller (containerd, slurmstepd) with it; runc gives systemd 30 s.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS, else the well-known socket.</summary>
    public static string SystemBusAddress() =>
        Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } a ? a : "unix:path=/run/dbus/system_bus_socket";

    /// <summary>Writes StartTransientUnit(ssa(sv)a(sa(sv))) for <paramref name="req"/>.</summary>
    public static MessageBuffer StartTransientUnitMessage(ref MessageWriter w, TransientUnitRequest req)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "StartTransientUnit", "ssa(sv)a(sa(sv))", MessageFlags.None);
        w.WriteString(req.Name);
        w.WriteString(req.Mode);
        WriteProperties(ref w, req.Properties);
        var aux = w.WriteArrayStart(DBusType.Struct); // no auxiliary units
        w.WriteArrayEnd(aux);
        return w.CreateMessage();
    }

    public static MessageBuffer StopUnitMessage(ref MessageWriter w, string unit)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "StopUnit", "ss", MessageFlags.None);
        w.WriteString(unit);
        w.WriteString("replace");
        return w.CreateMessage();
    }

    /// <summary>SetUnitProperties(sba(sv)), runtime=true: limits changed by `update` stay in systemd's view of the unit.</summary>
    public static MessageBuffer SetUnitPropertiesMessage(ref MessageWriter w, string unit, IReadOnlyList<UnitProperty> properties)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "SetUnitProperties", "sba(sv)", MessageFlags.None);
        w.WriteString(unit);
        w.WriteBool(true);
        WriteProperties(ref w, properties);
        return w.CreateMessage();
    }

    public static MessageBuffer GetUnitMessage(ref MessageWriter w, string unit)
    {
        w.WriteMethodCallHeader(Service, ObjectPath, Manager, "GetUnit", "s", MessageFlags.None);
        w.WriteString(unit);
        return w.CreateMessage();
    }

    private static void WriteProperties(ref MessageWriter w, IReadOnlyList<UnitProperty> properties)
    {
        var props = w.WriteArrayStart(DBusType.Struct);
        foreach (var p in properties)
        {
            w.WriteStructureStart();
            w.WriteString(p.Name);
            WriteVariant(ref w, p);
        }
        w.WriteArrayEnd(props);
    }

    private static void WriteVariant(ref MessageWriter w, UnitProperty p)
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
    /// <param name="address">The bus; null: <see cref="SystemBusAddress"/>.</param>
    /// <param name="timeout">Null: <see cref="CallTimeout"/>.</param>
    public static string StartTransientUnit(TransientUnitRequest req, string? address = null, TimeSpan? timeout = null) =>
        Call(address, timeout, $"start transient unit {req.Name}", (ref MessageWriter w) => StartTransientUnitMessage(ref w, req));

    public static string StopUnit(string unit, string? address = null, TimeSpan? timeout = null) =>
        Call(address, timeout, $"stop unit {unit}", (ref MessageWriter w) => StopUnitMessage(ref w, unit));

    public static void SetUnitProperties(string unit, IReadOnlyList<UnitProperty> properties, string? address = null, TimeSpan? timeout = null) =>
        Call(address, timeout, $"set properties of unit {unit}", (ref MessageWriter w) => SetUnitPropertiesMessage(ref w, unit, properties),
            static (m, _) => "");

    /// <summary>Whether systemd still has the unit loaded (GetUnit answers NoSuchUnit once it is gone).</summary>
    public static bool UnitLoaded(string unit, string? address = null, TimeSpan? timeout = null)
    {
        try { Call(address, timeout, $"get unit {unit}", (ref MessageWriter w) => GetUnitMessage(ref w, unit)); return true; }
        catch (CgroupException e) when (e.Message.Contains("NoSuchUnit")) { return false; }
    }

    private static string Call(string? address, TimeSpan? timeout, string what, MessageBuilder build) =>
        Call(address, timeout, what, build, static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString());

    private static string Call(string? address, TimeSpan? timeout, string what, MessageBuilder build, MessageValueReader<string> reader)
    {
        address ??= SystemBusAddress();
        var limit = timeout ?? CallTimeout;
        // One deadline for the whole call: connect and authentication can stall as well as the reply.
        var deadline = DateTime.UtcNow + limit;
        TimeSpan Left() => deadline - DateTime.UtcNow is var l && l > TimeSpan.Zero ? l : TimeSpan.Zero;
        try
        {
            // Disposing the connection (also on a timeout) closes the socket and ends its pending tasks.
            using var conn = new Connection(address);
            conn.ConnectAsync().AsTask().WaitAsync(Left()).GetAwaiter().GetResult();
            var w = conn.GetMessageWriter();
            MessageBuffer msg;
            // CreateMessage hands the buffer over to the message; Dispose then only returns an unfinished one.
            try { msg = build(ref w); }
            finally { w.Dispose(); }
            return conn.CallMethodAsync(msg, reader, null).WaitAsync(Left()).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new CgroupException($"cgroup: systemd: {what}: no answer from the system bus at {address} within {limit.TotalSeconds:0.###} s");
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
