namespace Rdmarun.Rdma.Tests.Ipoib;

/// <summary>The rtnetlink requests of IPoIB children, as annotated hex (shared with the engine's hook tests).</summary>
public static class IpoibWire
{
    public static string GetLink(int seq, string name)
    {
        var v = Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(name + "\0"));
        var attrLen = 4 + v.Length / 2;
        var pad = new string('0', ((4 - attrLen % 4) % 4) * 2);
        var total = 32 + ((attrLen + 3) & ~3);
        return $"{total:x2}000000 1200 0500 {seq:x2}000000 00000000 00 00 0000 00000000 00000000 00000000 {attrLen:x2}00 0300 {v}{pad}";
    }

    /// <summary>`ip link add link ib1 name NAME netns FD type ipoib pkey P` with ib1 at index 4.</summary>
    public static string Add(int seq, string name, string pkeyLe, int fd = 7) => $"""
        5c000000 1000 0506 {seq:x2}000000 00000000
        00 00 0000 00000000 00000000 00000000
        0d00 0300 {Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(name))} 00 000000
        0800 0500 04000000
        0800 1c00 {fd:x2}000000
        1c00 1280
          0a00 0100 69706f6962 00 0000
          0c00 0280
            0600 0100 {pkeyLe} 0000
        """;

    public static string Up(int seq, int index) => $"20000000 1000 0500 {seq:x2}000000 00000000 00 00 0000 {index:x2}000000 01000000 01000000";
    public static string Del(int seq, int index) => $"20000000 1100 0500 {seq:x2}000000 00000000 00 00 0000 {index:x2}000000 00000000 00000000";
}
