using System.Text;
using Rdmarun.Cgroups.Systemd;

namespace Rdmarun.Cgroups.Tests.Unit;

/// <summary>
/// The systemd calls' bodies byte for byte, against fixtures written by hand from the D-Bus marshalling
/// rules (little-endian; a string is its uint32 length, the bytes and a NUL; a struct starts 8-aligned; an
/// array is its uint32 byte length, padding to its element's alignment that the length does not count,
/// then the elements; a variant is a signature, then the value aligned for its type). A body once lost its
/// property array (the writer was copied into a helper) and dbus-daemon dropped the connection.
/// </summary>
public class SystemdBusWireTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(string.Concat(
        s.Split('\n').Select(l => l.Split("//")[0]).SelectMany(l => l.Where(Uri.IsHexDigit))));

    private static byte[] Record(string signature, Action<string> call)
    {
        using var bus = new WireRecordingBus();
        var e = Assert.Throws<CgroupException>(() => call(bus.Address));
        // The fake bus answered with its error: the message went out whole and the reply came back.
        Assert.Contains($"{WireRecordingBus.ErrorName}: recorded", e.Message);
        // The header's SIGNATURE field (code 8, variant "g") names what the body holds.
        var sigField = new byte[] { 8, 1, (byte)'g', 0, (byte)signature.Length }.Concat(Encoding.ASCII.GetBytes(signature)).Append((byte)0).ToArray();
        Assert.True(bus.Recorded.AsSpan().IndexOf(sigField) > 0, $"the header does not carry the signature {signature}");
        return bus.Body;
    }

    [Fact]
    public void StartTransientUnit_body_holds_each_property_type_and_an_empty_aux_array()
    {
        var req = new TransientUnitRequest
        {
            Name = "a.scope",
            Properties =
            [
                UnitProperty.String("Description", "d"),
                UnitProperty.Bool("Delegate", true),
                UnitProperty.UInt64("TasksMax", 50),
                UnitProperty.UInt32Array("PIDs", [7]),
            ],
        };
        var body = Record("ssa(sv)a(sa(sv))", a => SystemdBus.StartTransientUnit(req, a));
        var expected = Hex("""
            07000000 612e73636f706500                    // @0   s "a.scope"
            07000000 7265706c61636500                    // @12  s "replace"
            68000000 00000000                            // @24  a(sv): 104 bytes from @32; pad to 8
            0b000000 4465736372697074696f6e00            // @32  ( s "Description"
            017300 00 01000000 6400                      // @48    v "s": sig, pad to 4, "d" )
            000000000000                                 // @58  pad to 8
            08000000 44656c656761746500                  // @64  ( s "Delegate"
            016200 01000000                              // @77    v "b": true at @80 )
            00000000                                     // @84  pad to 8
            08000000 5461736b734d617800                  // @88  ( s "TasksMax"
            017400 3200000000000000                      // @101   v "t": 50 at @104 )
            04000000 5049447300                          // @112 ( s "PIDs"
            02617500 000000 04000000 07000000            // @121   v "au": sig, pad to 4, 4 bytes, 7 )
            00000000 00000000                            // @136 a(sa(sv)): 0 bytes; pad to 8
            """);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(body));
    }

    [Fact]
    public void SetUnitProperties_body_is_unit_runtime_flag_and_properties()
    {
        var body = Record("sba(sv)", a => SystemdBus.SetUnitProperties("a.scope", [UnitProperty.UInt64("MemoryMax", 134217728)], a));
        var expected = Hex("""
            07000000 612e73636f706500                    // @0  s "a.scope"
            01000000                                     // @12 b true: runtime only
            20000000 00000000                            // @16 a(sv): 32 bytes from @24; pad to 8
            09000000 4d656d6f72794d617800                // @24 ( s "MemoryMax"
            017400 00000000000000 0000000800000000       // @38   v "t": sig, pad to 8, 134217728 at @48 )
            """);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(body));
    }

    [Fact]
    public void StopUnit_body_is_unit_and_mode()
    {
        var body = Record("ss", a => SystemdBus.StopUnit("a.scope", a));
        Assert.Equal("07000000612E73636F706500" + "07000000" + Convert.ToHexString("replace\0"u8), Convert.ToHexString(body));
    }
}
