using System.Text.RegularExpressions;
using Rdmarun.Rdma.Netlink;

namespace Rdmarun.Rdma.Tests.Netlink;

/// <summary>
/// Every constant we put on the wire, checked against the uapi headers (Debian: linux-libc-dev). The headers are
/// evaluated here with a tiny C-enum reader rather than compiled, so the test needs no C compiler.
/// </summary>
public partial class HeaderConstantsTests
{
    const string RdmaHeader = "/usr/include/rdma/rdma_netlink.h";
    const string NetlinkHeader = "/usr/include/linux/netlink.h";

    static readonly Lazy<Dictionary<string, long>> Values = new(() =>
    {
        Assert.True(File.Exists(RdmaHeader), $"{RdmaHeader} is missing: apt-get install linux-libc-dev");
        var map = new Dictionary<string, long>();
        foreach (var header in new[] { NetlinkHeader, RdmaHeader }) Read(File.ReadAllText(header), map);
        return map;
    });

    [Fact]
    public void commands_match_rdma_netlink_h()
    {
        var v = Values.Value;
        Assert.Equal(Nldev.ClientNldev, v["RDMA_NL_NLDEV"]);
        Assert.Equal(Nldev.NetlinkRdma, v["NETLINK_RDMA"]);
        Assert.Equal(Nldev.CmdGet, v["RDMA_NLDEV_CMD_GET"]);
        Assert.Equal(Nldev.CmdSet, v["RDMA_NLDEV_CMD_SET"]);
        Assert.Equal(Nldev.CmdPortGet, v["RDMA_NLDEV_CMD_PORT_GET"]);
        Assert.Equal(Nldev.CmdSysGet, v["RDMA_NLDEV_CMD_SYS_GET"]);
        Assert.Equal(Nldev.CmdSysSet, v["RDMA_NLDEV_CMD_SYS_SET"]);
        Assert.Equal(Nldev.CmdGetChardev, v["RDMA_NLDEV_CMD_GET_CHARDEV"]);
        Assert.Equal(Nldev.CmdResQpGet, v["RDMA_NLDEV_CMD_RES_QP_GET"]);
        Assert.Equal(Nldev.CmdStatSet, v["RDMA_NLDEV_CMD_STAT_SET"]);
        Assert.Equal(Nldev.CmdStatGet, v["RDMA_NLDEV_CMD_STAT_GET"]);
        Assert.Equal(Nldev.CmdStatDel, v["RDMA_NLDEV_CMD_STAT_DEL"]);
        Assert.Equal((long)RdmaCounterMode.None, v["RDMA_COUNTER_MODE_NONE"]);
        Assert.Equal((long)RdmaCounterMode.Auto, v["RDMA_COUNTER_MODE_AUTO"]);
        Assert.Equal((long)RdmaCounterMode.Manual, v["RDMA_COUNTER_MODE_MANUAL"]);
    }

    [Theory]
    [InlineData("RDMA_NLDEV_ATTR_PAD", Nldev.AttrPad)]
    [InlineData("RDMA_NLDEV_ATTR_DEV_INDEX", Nldev.AttrDevIndex)]
    [InlineData("RDMA_NLDEV_ATTR_DEV_NAME", Nldev.AttrDevName)]
    [InlineData("RDMA_NLDEV_ATTR_PORT_INDEX", Nldev.AttrPortIndex)]
    [InlineData("RDMA_NLDEV_ATTR_CAP_FLAGS", Nldev.AttrCapFlags)]
    [InlineData("RDMA_NLDEV_ATTR_FW_VERSION", Nldev.AttrFwVersion)]
    [InlineData("RDMA_NLDEV_ATTR_NODE_GUID", Nldev.AttrNodeGuid)]
    [InlineData("RDMA_NLDEV_ATTR_SYS_IMAGE_GUID", Nldev.AttrSysImageGuid)]
    [InlineData("RDMA_NLDEV_ATTR_SUBNET_PREFIX", Nldev.AttrSubnetPrefix)]
    [InlineData("RDMA_NLDEV_ATTR_LID", Nldev.AttrLid)]
    [InlineData("RDMA_NLDEV_ATTR_SM_LID", Nldev.AttrSmLid)]
    [InlineData("RDMA_NLDEV_ATTR_LMC", Nldev.AttrLmc)]
    [InlineData("RDMA_NLDEV_ATTR_PORT_STATE", Nldev.AttrPortState)]
    [InlineData("RDMA_NLDEV_ATTR_PORT_PHYS_STATE", Nldev.AttrPortPhysState)]
    [InlineData("RDMA_NLDEV_ATTR_DEV_NODE_TYPE", Nldev.AttrDevNodeType)]
    [InlineData("RDMA_NLDEV_ATTR_NDEV_INDEX", Nldev.AttrNdevIndex)]
    [InlineData("RDMA_NLDEV_ATTR_NDEV_NAME", Nldev.AttrNdevName)]
    [InlineData("RDMA_NLDEV_ATTR_LINK_TYPE", Nldev.AttrLinkType)]
    [InlineData("RDMA_NLDEV_SYS_ATTR_NETNS_MODE", Nldev.AttrSysNetnsMode)]
    [InlineData("RDMA_NLDEV_ATTR_DEV_PROTOCOL", Nldev.AttrDevProtocol)]
    [InlineData("RDMA_NLDEV_NET_NS_FD", Nldev.AttrNetNsFd)]
    [InlineData("RDMA_NLDEV_ATTR_CHARDEV_TYPE", Nldev.AttrChardevType)]
    [InlineData("RDMA_NLDEV_ATTR_CHARDEV_NAME", Nldev.AttrChardevName)]
    [InlineData("RDMA_NLDEV_ATTR_CHARDEV_ABI", Nldev.AttrChardevAbi)]
    [InlineData("RDMA_NLDEV_ATTR_CHARDEV", Nldev.AttrChardev)]
    [InlineData("RDMA_NLDEV_SYS_ATTR_COPY_ON_FORK", Nldev.AttrSysCopyOnFork)]
    [InlineData("RDMA_NLDEV_ATTR_RES_QP", Nldev.AttrResQp)]
    [InlineData("RDMA_NLDEV_ATTR_RES_QP_ENTRY", Nldev.AttrResQpEntry)]
    [InlineData("RDMA_NLDEV_ATTR_RES_LQPN", Nldev.AttrResLqpn)]
    [InlineData("RDMA_NLDEV_ATTR_RES_TYPE", Nldev.AttrResType)]
    [InlineData("RDMA_NLDEV_ATTR_RES_STATE", Nldev.AttrResState)]
    [InlineData("RDMA_NLDEV_ATTR_RES_PID", Nldev.AttrResPid)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_MODE", Nldev.AttrStatMode)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_RES", Nldev.AttrStatRes)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_AUTO_MODE_MASK", Nldev.AttrStatAutoModeMask)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_COUNTER", Nldev.AttrStatCounter)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_COUNTER_ENTRY", Nldev.AttrStatCounterEntry)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_COUNTER_ID", Nldev.AttrStatCounterId)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_HWCOUNTERS", Nldev.AttrStatHwCounters)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_HWCOUNTER_ENTRY", Nldev.AttrStatHwCounterEntry)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_HWCOUNTER_ENTRY_NAME", Nldev.AttrStatHwCounterEntryName)]
    [InlineData("RDMA_NLDEV_ATTR_STAT_HWCOUNTER_ENTRY_VALUE", Nldev.AttrStatHwCounterEntryValue)]
    public void attributes_match_rdma_netlink_h(string name, ushort ours) => Assert.Equal(Values.Value[name], ours);

    [Theory]
    [InlineData("NLM_F_REQUEST", NetlinkConst.FlagRequest)]
    [InlineData("NLM_F_MULTI", NetlinkConst.FlagMulti)]
    [InlineData("NLM_F_ACK", NetlinkConst.FlagAck)]
    [InlineData("NLM_F_DUMP", NetlinkConst.FlagDump)]
    [InlineData("NLM_F_CAPPED", NetlinkConst.FlagCapped)]
    [InlineData("NLM_F_ACK_TLVS", NetlinkConst.FlagAckTlvs)]
    [InlineData("NLMSG_NOOP", NetlinkConst.TypeNoop)]
    [InlineData("NLMSG_ERROR", NetlinkConst.TypeError)]
    [InlineData("NLMSG_DONE", NetlinkConst.TypeDone)]
    [InlineData("NLMSGERR_ATTR_MSG", NetlinkConst.ErrAttrMsg)]
    public void netlink_flags_match_netlink_h(string name, ushort ours) => Assert.Equal(Values.Value[name], ours);

    [Fact]
    public void the_enum_reader_handles_aliases_and_explicit_values()
    {
        var map = new Dictionary<string, long>();
        Read("#define X_BASE 0x10\n#define Y (X_BASE | 0x1)\nenum e { A, /* c */ B = 5, C, D = A, E, // x\n F = (1 << 3) };", map);
        Assert.Equal([16L, 17, 0, 5, 6, 0, 1, 8], new[] { "X_BASE", "Y", "A", "B", "C", "D", "E", "F" }.Select(k => map[k]));
    }

    /// <summary>Reads #define NAME expr and enum bodies; expressions: numbers, names, |, &lt;&lt;, +, parentheses.</summary>
    static void Read(string text, Dictionary<string, long> map)
    {
        text = BlockComment().Replace(text, " ");
        text = LineComment().Replace(text, "");
        foreach (Match m in Define().Matches(text))
            if (TryEval(m.Groups[2].Value, map, out var v)) map[m.Groups[1].Value] = v;
        foreach (Match m in EnumBody().Matches(text))
        {
            long next = 0;
            // Headers re-#define enum members inside the body (rtnetlink.h, if_link.h): drop those lines.
            foreach (var raw in Preprocessor().Replace(m.Groups[1].Value, "").Split(','))
            {
                var entry = raw.Trim();
                if (entry.Length == 0 || entry.StartsWith('#')) continue;
                var eq = entry.IndexOf('=');
                var name = (eq < 0 ? entry : entry[..eq]).Trim();
                if (eq >= 0 && TryEval(entry[(eq + 1)..], map, out var v)) next = v;
                map[name] = next++;
            }
        }
    }

    static bool TryEval(string expr, Dictionary<string, long> map, out long value)
    {
        value = 0;
        var s = expr.Trim();
        while (s.StartsWith('(') && s.EndsWith(')')) s = s[1..^1].Trim();
        foreach (var op in new[] { "|", "+", "<<" })
        {
            var i = s.LastIndexOf(op, StringComparison.Ordinal);
            if (i > 0 && Depth(s, i) == 0)
            {
                if (!TryEval(s[..i], map, out var a) || !TryEval(s[(i + op.Length)..], map, out var b)) return false;
                value = op switch { "|" => a | b, "+" => a + b, _ => a << (int)b };
                return true;
            }
        }
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return long.TryParse(s[2..], System.Globalization.NumberStyles.HexNumber, null, out value);
        if (long.TryParse(s, out value)) return true;
        return map.TryGetValue(s, out value);
    }

    static int Depth(string s, int upTo) => s[..upTo].Count(c => c == '(') - s[..upTo].Count(c => c == ')');

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)] private static partial Regex BlockComment();
    [GeneratedRegex(@"//[^\n]*")] private static partial Regex LineComment();
    [GeneratedRegex(@"^\s*#define\s+(\w+)\s+([^\n]+)$", RegexOptions.Multiline)] private static partial Regex Define();
    [GeneratedRegex(@"enum\s*\w*\s*\{([^}]*)\}")] private static partial Regex EnumBody();
    [GeneratedRegex(@"^\s*#[^\n]*$", RegexOptions.Multiline)] private static partial Regex Preprocessor();
}
