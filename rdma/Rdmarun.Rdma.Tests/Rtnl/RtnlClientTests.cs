using Rdmarun.Rdma.Netlink;
using Rdmarun.Rdma.Rtnl;
using static Rdmarun.Rdma.Tests.Rtnl.RtnlReplies;

namespace Rdmarun.Rdma.Tests.Rtnl;

/// <summary>Each request byte for byte as the kernel (and iproute2) lays it out; refusals become errno + text.</summary>
public class RtnlClientTests
{
    public const string GetVeth1 = """
        2c000000 1200 0500 01000000 00000000   # len 44, RTM_GETLINK, REQUEST|ACK, seq 1
        00 00 0000 00000000 00000000 00000000  # ifinfomsg: any family, index 0 (look up by name)
        0a00 0300 7665746831 00 0000           # IFLA_IFNAME "veth1"
        """;

    [Fact]
    public void get_link_by_name_reads_index_flags_and_kind()
    {
        var t = new RtnlReplay((GetVeth1, [Link(1, 7, "veth1", up: true, kind: "veth", mac: "52:54:00:0a:0b:0c"), Ack(1)]));
        var link = new RtnlClient(t).GetLink("veth1");
        Assert.Equal(new RtnlLink(7, "veth1", 0x11043, "veth", "52:54:00:0a:0b:0c"), link);
        Assert.True(link!.IsUp);
        Assert.True(t.Finished);
    }

    [Fact]
    public void an_absent_device_is_null_not_an_error()
    {
        var t = new RtnlReplay((GetVeth1, [Error(1, Errno.ENODEV)]));
        Assert.Null(new RtnlClient(t).GetLink("veth1"));
    }

    [Fact]
    public void move_into_a_netns_renames_in_the_same_request()
    {
        var move = """
            34000000 1000 0500 01000000 00000000   # len 52, RTM_NEWLINK, REQUEST|ACK
            00 00 0000 07000000 00000000 00000000  # index 7, flags untouched
            0800 1c00 09000000                     # IFLA_NET_NS_FD 9
            0900 0300 6e65743000 000000            # IFLA_IFNAME "net0"
            """;
        var t = new RtnlReplay((move, [Ack(1)]));
        new RtnlClient(t).MoveLink(new RtnlLink(7, "veth1", 0, "veth"), 9, "net0", "the container's network namespace");
        Assert.True(t.Finished);
    }

    [Fact]
    public void move_without_a_new_name_sends_no_ifname()
    {
        var move = """
            28000000 1000 0500 01000000 00000000
            00 00 0000 07000000 00000000 00000000
            0800 1c00 09000000                     # IFLA_NET_NS_FD 9 only
            """;
        var t = new RtnlReplay((move, [Ack(1)]));
        new RtnlClient(t).MoveLink(new RtnlLink(7, "veth1", 0, null), 9, "veth1", "the container's network namespace");
        Assert.True(t.Finished);
    }

    [Fact]
    public void a_refused_move_names_device_destination_and_errno()
    {
        var move = """
            28000000 1000 0500 01000000 00000000
            00 00 0000 01000000 00000000 00000000
            0800 1c00 09000000
            """;
        var t = new RtnlReplay((move, [Error(1, Errno.EINVAL)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).MoveLink(new RtnlLink(1, "lo", 0, null), 9, "lo", "the container's network namespace"));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("netdev: cannot move network device lo into the container's network namespace: invalid argument", e.Message);
    }

    [Fact]
    public void set_up_changes_only_iff_up()
    {
        var up = """
            20000000 1000 0500 01000000 00000000
            00 00 0000 0c000000 01000000 01000000  # index 12, flags IFF_UP, change mask IFF_UP
            """;
        var t = new RtnlReplay((up, [Ack(1)]));
        new RtnlClient(t).SetUp(new RtnlLink(12, "net0", 0, null), true);
        Assert.True(t.Finished);
    }

    [Fact]
    public void rename_sends_the_new_ifname()
    {
        var rename = """
            2c000000 1000 0500 01000000 00000000
            00 00 0000 0c000000 00000000 00000000
            0900 0300 6574683900 000000           # IFLA_IFNAME "eth9"
            """;
        var t = new RtnlReplay((rename, [Ack(1)]));
        new RtnlClient(t).Rename(new RtnlLink(12, "net0", 0, null), "eth9");
        Assert.True(t.Finished);
    }

    [Fact]
    public void ipv4_address_add_has_local_address_and_broadcast()
    {
        var add = """
            30000000 1400 0506 01000000 00000000   # len 48, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
            02 18 00 00 0c000000                   # AF_INET, /24, flags 0, scope universe, index 12
            0800 0200 0a090807                     # IFA_LOCAL 10.9.8.7
            0800 0100 0a090807                     # IFA_ADDRESS 10.9.8.7
            0800 0400 0a0908ff                     # IFA_BROADCAST 10.9.8.255
            """;
        var t = new RtnlReplay((add, [Ack(1)]));
        new RtnlClient(t).AddAddress(RtnlAddress.Parse("10.9.8.7/24", 12), "net0");
        Assert.True(t.Finished);
    }

    [Fact]
    public void ipv6_address_add_has_only_the_address()
    {
        var add = """
            2c000000 1400 0506 01000000 00000000
            0a 40 00 00 0c000000                   # AF_INET6, /64
            1400 0100 fd000000000000000000000000000001   # IFA_ADDRESS fd00::1
            """;
        var t = new RtnlReplay((add, [Ack(1)]));
        new RtnlClient(t).AddAddress(RtnlAddress.Parse("fd00::1/64", 12), "net0");
        Assert.True(t.Finished);
    }

    [Fact]
    public void an_address_taken_is_reported_with_the_kernel_text()
    {
        var add = """
            30000000 1400 0506 01000000 00000000
            02 18 00 00 0c000000
            0800 0200 0a090807 0800 0100 0a090807 0800 0400 0a0908ff
            """;
        var t = new RtnlReplay((add, [Error(1, Errno.EEXIST)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).AddAddress(RtnlAddress.Parse("10.9.8.7/24", 12), "net0"));
        Assert.Equal("netdev: cannot add address 10.9.8.7/24 to network device net0: file exists", e.Message);
    }

    [Fact]
    public void address_dump_keeps_the_device_and_marks_what_a_move_must_restore()
    {
        var dump = """
            18000000 1600 0503 01000000 00000000   # len 24, RTM_GETADDR, REQUEST|ACK|DUMP
            00 00 00 00 00000000                   # any family, every device
            """;
        var t = new RtnlReplay((dump, [
            Addr4(1, 1, "7f000001", 8, scope: 254) + Addr4(1, 7, "0a090807", 24) + Addr4(1, 7, "0a090808", 24, flags: 0x81),
            Addr6(1, 7, "fd000000000000000000000000000001", 64, 0x80, 0) + Addr6(1, 7, "fe800000000000000000000000000001", 64, 0x80, 253)
                + Addr6(1, 7, "20010db8000000000000000000000001", 64, 0x00, 0),
            Done(1)]));
        var addrs = new RtnlClient(t).GetAddresses(7);
        Assert.Equal(["10.9.8.7/24", "10.9.8.8/24", "fd00::1/64", "fe80::1/64", "2001:db8::1/64"], addrs.Select(a => a.ToString()));
        // Link-local and autoconfigured (non-permanent) IPv6 addresses come back by themselves.
        Assert.Equal(["10.9.8.7/24", "10.9.8.8/24", "fd00::1/64"], addrs.Where(a => a.Restorable).Select(a => a.ToString()));
    }

    [Fact]
    public void vf_rate_is_nested_in_the_vf_info_list_of_the_pf()
    {
        var rate = """
            38000000 1000 0500 01000000 00000000   # len 56, RTM_NEWLINK on the PF
            00 00 0000 03000000 00000000 00000000  # PF index 3
            1800 1680                              # IFLA_VFINFO_LIST (nested)
              1400 0180                            #   IFLA_VF_INFO (nested)
                1000 0600 02000000 00000000 e8030000   # IFLA_VF_RATE: vf 2, min 0, max 1000 Mbit/s
            """;
        var t = new RtnlReplay((rate, [Ack(1)]));
        new RtnlClient(t).SetVfRate(new RtnlLink(3, "ens1f0", 0, null), 2, 0, 1000);
        Assert.True(t.Finished);
    }

    [Fact]
    public void vf_vlan_and_priority_use_the_vlan_list_with_the_8021q_protocol()
    {
        var vlan = """
            40000000 1000 0500 01000000 00000000   # len 64
            00 00 0000 03000000 00000000 00000000
            2000 1680                              # IFLA_VFINFO_LIST
              1c00 0180                            #   IFLA_VF_INFO
                1800 0c80                          #     IFLA_VF_VLAN_LIST
                  1400 0100 02000000 64000000 05000000 8100 0000   # IFLA_VF_VLAN_INFO: vf 2, vlan 100, qos 5, ETH_P_8021Q (big-endian)
            """;
        var t = new RtnlReplay((vlan, [Ack(1)]));
        new RtnlClient(t).SetVfVlan(new RtnlLink(3, "ens1f0", 0, null), 2, 100, 5);
        Assert.True(t.Finished);
    }

    [Fact]
    public void a_pf_without_sriov_refuses_the_vf_rate()
    {
        var rate = """
            38000000 1000 0500 01000000 00000000
            00 00 0000 03000000 00000000 00000000
            1800 1680 1400 0180 1000 0600 02000000 00000000 e8030000
            """;
        var t = new RtnlReplay((rate, [Error(1, Errno.EOPNOTSUPP)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).SetVfRate(new RtnlLink(3, "eth0", 0, null), 2, 0, 1000));
        Assert.Equal("netdev: cannot set the rate of vf 2 of eth0 to max 1000 Mbit/s: operation not supported", e.Message);
    }

    [Fact]
    public void tbf_root_qdisc_with_ethernet_link_layer_and_burst()
    {
        var tbf = """
            60000000 2400 0505 01000000 00000000   # len 96, RTM_NEWQDISC, REQUEST|ACK|REPLACE|CREATE
            00 00 0000 0c000000 00000000 ffffffff 00000000   # tcmsg: index 12, handle auto, parent TC_H_ROOT
            0800 0100 74626600                     # TCA_KIND "tbf"
            3400 0280                              # TCA_OPTIONS (nested)
              2800 0100                            #   TCA_TBF_PARMS
                00 01 0000 0000 0000 40420f00      #     rate: link layer ethernet, 1000000 bytes/s
                00 00 0000 0000 0000 00000000      #     peakrate: none
                00000100 00000000 00000000         #     limit 65536, buffer/mtu from the burst
              0800 0600 00800000                   #   TCA_TBF_BURST 32768
            """;
        var t = new RtnlReplay((tbf, [Ack(1)]));
        new RtnlClient(t).SetTbf(new RtnlLink(12, "net0", 0, null), 1_000_000, 32768, 65536);
        Assert.True(t.Finished);
    }

    [Fact]
    public void tbf_on_a_shared_host_netdev_is_exclusive_and_under_the_containers_handle()
    {
        var tbf = """
            60000000 2400 0506 01000000 00000000   # len 96, RTM_NEWQDISC, REQUEST|ACK|EXCL|CREATE: never replaces
            00 00 0000 0c000000 00003412 ffffffff 00000000   # tcmsg: index 12, handle 1234:0, parent TC_H_ROOT
            0800 0100 74626600                     # TCA_KIND "tbf"
            3400 0280                              # TCA_OPTIONS (nested)
              2800 0100                            #   TCA_TBF_PARMS
                00 01 0000 0000 0000 40420f00      #     rate: link layer ethernet, 1000000 bytes/s
                00 00 0000 0000 0000 00000000      #     peakrate: none
                00000100 00000000 00000000         #     limit 65536
              0800 0600 00800000                   #   TCA_TBF_BURST 32768
            """;
        var t = new RtnlReplay((tbf, [Error(1, Errno.EEXIST)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).AddTbf(new RtnlLink(12, "qc", 0, null), 0x1234_0000, 1_000_000, 32768, 65536));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("netdev: cannot add a root qdisc limiting network device qc to 1000000 bytes/s: file exists", e.Message);
    }

    [Fact]
    public void the_root_qdisc_is_deleted_by_its_handle()
    {
        var del = """
            24000000 2500 0500 01000000 00000000   # len 36, RTM_DELQDISC, REQUEST|ACK
            00 00 0000 0c000000 00003412 ffffffff 00000000   # index 12, handle 1234:0 (the kernel: EINVAL if another), root
            """;
        var t = new RtnlReplay((del, [Ack(1)]));
        new RtnlClient(t).DeleteRootQdisc(new RtnlLink(12, "qc", 0, null), 0x1234_0000);
        Assert.True(t.Finished);
    }

    [Fact]
    public void replies_to_earlier_requests_are_skipped()
    {
        var t = new RtnlReplay((GetVeth1, [Ack(0) + Link(1, 7, "veth1", up: false), Ack(1)]));
        Assert.Equal(7, new RtnlClient(t).GetLink("veth1")!.Index);
    }

    [Fact]
    public void a_macvlan_child_is_created_in_bridge_mode_inside_the_containers_netns()
    {
        var add = """
            58000000 1000 0506 01000000 00000000   # len 88, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
            00 00 0000 00000000 00000000 00000000  # ifinfomsg: index 0 (a new device)
            0a00 0300 726f636530 00 0000           # IFLA_IFNAME "roce0"
            0800 0500 03000000                     # IFLA_LINK: the parent, index 3
            0800 1c00 07000000                     # IFLA_NET_NS_FD 7: created in the container's netns
            1c00 1280                              # IFLA_LINKINFO
              0c00 0100 6d6163766c616e00           #   IFLA_INFO_KIND "macvlan"
              0c00 0280                            #   IFLA_INFO_DATA
                0800 0100 04000000                 #     IFLA_MACVLAN_MODE: MACVLAN_MODE_BRIDGE
            """;
        var t = new RtnlReplay((add, [Ack(1)]));
        new RtnlClient(t).AddChild(new RtnlLink(3, "eth0", 0, null), "macvlan", 0, "roce0", 7);
        Assert.True(t.Finished);
    }

    const string VlanRoce0 = """
        58000000 1000 0506 01000000 00000000
        00 00 0000 00000000 00000000 00000000
        0a00 0300 726f636530 00 0000           # IFLA_IFNAME "roce0"
        0800 0500 03000000                     # IFLA_LINK 3
        0800 1c00 07000000                     # IFLA_NET_NS_FD 7
        1c00 1280                              # IFLA_LINKINFO
          0900 0100 766c616e 00 000000         #   IFLA_INFO_KIND "vlan"
          0c00 0280                            #   IFLA_INFO_DATA
            0600 0100 6400 0000                #     IFLA_VLAN_ID 100
        """;

    [Fact]
    public void a_vlan_child_carries_its_id_and_an_ipvlan_child_l2_mode()
    {
        var ipvlan = """
            58000000 1000 0506 02000000 00000000
            00 00 0000 00000000 00000000 00000000
            0a00 0300 726f636531 00 0000           # IFLA_IFNAME "roce1"
            0800 0500 03000000
            0800 1c00 07000000
            1c00 1280
              0b00 0100 6970766c616e 00 00         #   IFLA_INFO_KIND "ipvlan"
              0c00 0280
                0600 0100 0000 0000                #     IFLA_IPVLAN_MODE: IPVLAN_MODE_L2
            """;
        var t = new RtnlReplay((VlanRoce0, [Ack(1)]), (ipvlan, [Ack(2)]));
        var c = new RtnlClient(t);
        c.AddChild(new RtnlLink(3, "eth0", 0, null), "vlan", 100, "roce0", 7);
        c.AddChild(new RtnlLink(3, "eth0", 0, null), "ipvlan", 0, "roce1", 7);
        Assert.True(t.Finished);
    }

    [Fact]
    public void a_kernel_without_the_child_type_refuses_with_its_errno()
    {
        var t = new RtnlReplay((VlanRoce0, [Error(1, Errno.EOPNOTSUPP)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).AddChild(new RtnlLink(3, "eth0", 0, null), "vlan", 100, "roce0", 7));
        Assert.Equal("netdev: cannot create vlan 100 device roce0 on eth0 in the container's network namespace: operation not supported", e.Message);
    }

    [Fact]
    public void an_ipoib_child_carries_its_pkey_and_is_created_in_the_containers_netns()
    {
        var add = """
            5c000000 1000 0506 01000000 00000000   # len 92, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
            00 00 0000 00000000 00000000 00000000  # ifinfomsg: a new device
            0d00 0300 6962302e38303031 00 000000   # IFLA_IFNAME "ib0.8001"
            0800 0500 04000000                     # IFLA_LINK 4 (ib0)
            0800 1c00 07000000                     # IFLA_NET_NS_FD 7
            1c00 1280                              # IFLA_LINKINFO
              0a00 0100 69706f6962 00 0000         #   IFLA_INFO_KIND "ipoib"
              0c00 0280                            #   IFLA_INFO_DATA
                0600 0100 0180 0000                #     IFLA_IPOIB_PKEY 0x8001
            """;
        var t = new RtnlReplay((add, [Ack(1)]));
        new RtnlClient(t).AddIpoibChild(new RtnlLink(4, "ib0", 0, null), 0x8001, "ib0.8001", 7);
        Assert.True(t.Finished);
    }

    [Fact]
    public void an_ipoib_child_the_kernel_refuses_names_device_pkey_and_errno()
    {
        var t = new RtnlReplay(("""
            5c000000 1000 0506 01000000 00000000
            00 00 0000 00000000 00000000 00000000
            0d00 0300 6962302e38303031 00 000000
            0800 0500 04000000
            0800 1c00 07000000
            1c00 1280
              0a00 0100 69706f6962 00 0000
              0c00 0280
                0600 0100 0180 0000
            """, [Error(1, Errno.EOPNOTSUPP)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).AddIpoibChild(new RtnlLink(4, "ib0", 0, null), 0x8001, "ib0.8001", 7));
        Assert.Equal("netdev: cannot create ipoib device ib0.8001 for p_key 0x8001 on ib0 in the container's network namespace: operation not supported", e.Message);
    }

    [Fact]
    public void delete_link_by_index()
    {
        var del = """
            20000000 1100 0500 01000000 00000000   # len 32, RTM_DELLINK, REQUEST|ACK
            00 00 0000 09000000 00000000 00000000  # ifinfomsg: index 9
            """;
        var t = new RtnlReplay((del, [Ack(1)]));
        new RtnlClient(t).DeleteLink(new RtnlLink(9, "roce0", 0, "macvlan"));
        Assert.True(t.Finished);
    }

    [Fact]
    public void vf_min_rate_goes_in_the_same_attribute()
    {
        var rate = """
            38000000 1000 0500 01000000 00000000
            00 00 0000 03000000 00000000 00000000
            1800 1680
              1400 0180
                1000 0600 02000000 f4010000 00000000   # IFLA_VF_RATE: vf 2, min 500, max 0 (none)
            """;
        var t = new RtnlReplay((rate, [Error(1, Errno.EINVAL)]));
        var e = Assert.Throws<RtnlException>(() => new RtnlClient(t).SetVfRate(new RtnlLink(3, "ens1f0", 0, null), 2, 500, 0));
        Assert.Equal("netdev: cannot set the rate of vf 2 of ens1f0 to min 500 max 0 Mbit/s: invalid argument", e.Message);
    }
}
