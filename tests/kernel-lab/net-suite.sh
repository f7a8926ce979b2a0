#!/bin/bash
# linux.netDevices and RDMA QoS checked in the kernel lab, with the lab's physical NIC eth0 (virtio-net,
# QEMU user networking with restrict=on) and soft-RoCE devices on veth ends.
#
#   net-suite.sh                on the host: boots the lab and runs the cases inside
#   net-suite.sh --inside DIR   the cases themselves (DIR: a scratch dir the guest can write)
# Prints "PASS name" / "FAIL name: reason" / "SKIP name: why" lines and "N passed, N failed, N skipped".
# Binaries: RDMARUN_BIN (default out/rdmarun), RDMARUN_FAULTS_BIN (default out/faults/rdmarun; without it
# the case killed inside create is skipped).
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)

host_main() {
    local share rc=0
    share=$(mktemp -d "${TMPDIR:-/var/tmp}/kernel-lab-net.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Copies: a rebuild during the boot must not change what is tested.
    cp "$LAB_DIR/net-suite.sh" "$share/" && cp "${RDMARUN_BIN:-$REPO/out/rdmarun}" "$share/rdmarun" || return 125
    [[ -x ${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun} ]] && cp "${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun}" "$share/rdmarun-faults"
    "$LAB_DIR/lab.sh" run --timeout "${SUITE_TIMEOUT:-900}" --share "$share" --env "RDMARUN_BIN=$share/rdmarun" \
        --env "RDMARUN_FAULTS_BIN=$share/rdmarun-faults" \
        -- "$(printf '%q ' bash "$share/net-suite.sh" --inside "$share")" || rc=$?
    return $rc
}

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
one_line() { tr '\n' ' ' | sed 's/ *$//'; }

NIC=eth0 NIC_MAC=52:54:00:12:34:56
ROOT=/run/net-suite-rdmarun

rt() { timeout -k 10 120 "$RT" --root "$ROOT" "$@"; }
edit() { jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"; }

# new_bundle NAME ARGS...: the lab's own / read-only as rootfs (ip, busybox, perftest are there), its own
# network namespace (rdmarun spec's default).
new_bundle() {
    local dir=$WORK/$1 args
    shift
    mkdir -p "$dir" && (cd "$dir" && timeout 60 "$RT" spec) || return 1
    args=$(jq -cn '$ARGS.positional' --args -- "$@")
    edit "$dir" ".process.terminal = false | .process.args = $args | .root = {\"path\": \"$HOSTROOT\", \"readonly\": true}"
}
net_devices() { edit "$WORK/$1" ".linux.netDevices = $2"; }
annotate() { edit "$WORK/$1" ".annotations[\"$2\"] = \"$3\""; }

# What the host shows of a device: "NAME MAC up|down ADDR..." (IPv4 and global IPv6, sorted).
host_view() {
    local dev=$1 flags
    [[ -e /sys/class/net/$dev ]] || { echo "$dev absent"; return; }
    flags=$(ip -o link show dev "$dev" | grep -o '<[^>]*>')
    echo "$dev $(cat "/sys/class/net/$dev/address") $([[ $flags == *,UP* || $flags == *'<UP'* ]] && echo up || echo down)" \
        "$(ip -o addr show dev "$dev" | awk '$0 !~ /dynamic/ && ($3 == "inet" || ($3 == "inet6" && $0 !~ /scope link/)) {print $4}' | sort | paste -sd' ' -)"
}

# The NIC as the tests expect it back on the host: its own name, MAC, up, its static addresses (QEMU's user
# network advertises fec0::/64: the autoconfigured address is the kernel's, left out of the views).
nic_setup() {
    ip addr flush dev $NIC
    ip addr add 10.66.0.1/24 dev $NIC && ip addr add 10.66.1.1/24 dev $NIC && ip -6 addr add fd66::1/64 dev $NIC nodad \
        && ip link set $NIC up
}
NIC_WANT="$NIC $NIC_MAC up 10.66.0.1/24 10.66.1.1/24 fd66::1/64"

# Polls for up to 15 s: the kernel hands a physical device back asynchronously after its netns died.
expect_host() { # case dev want
    local got until=$((SECONDS + 15))
    while got=$(host_view "$2"); [[ $got != "$3" ]] && ((SECONDS < until)); do sleep 0.3; done
    if [[ $got == "$3" ]]; then pass "$1"; else fail "$1" "host shows '$got', expected '$3'"; fi
}

# A physical NIC moved in under a new name, seen inside with its addresses and up; after delete it is back
# on the host under its own name with its addresses (the kernel returns it as ctr0, without addresses).
case_nic_move_and_delete() {
    local n=nic
    nic_setup || { fail nic-setup "cannot configure $NIC"; return; }
    new_bundle $n sh -c 'ip -o link show ctr0 | grep -o "<[^>]*>"; ip -o addr show dev ctr0 | awk "\$0 !~ /dynamic/ && (\$3 == \"inet\" || (\$3 == \"inet6\" && \$0 !~ /scope link/)) {print \$4}" | sort | paste -sd" " -; cat /sys/class/net/ctr0/address; ls /sys/class/net | sort | paste -sd" " -' \
        || { fail nic-move "bundle"; return; }
    net_devices $n "{\"$NIC\": {\"name\": \"ctr0\"}}"
    (cd "$WORK/$n" && rt run $n >"$WORK/$n.out" 2>&1 </dev/null)
    local rc=$? out
    out=$(one_line <"$WORK/$n.out")
    if [[ $rc == 0 && $out == "<BROADCAST,MULTICAST,UP,LOWER_UP> 10.66.0.1/24 10.66.1.1/24 fd66::1/64 $NIC_MAC ctr0 lo" ]]; then
        pass nic-inside-renamed-addresses-up
    else
        fail nic-inside-renamed-addresses-up "rc $rc: $out"
    fi
    rt delete $n >/dev/null 2>&1
    expect_host nic-back-on-host-after-delete $NIC "$NIC_WANT"
    [[ ! -e /sys/class/net/ctr0 ]] && pass nic-no-ctr0-on-host || fail nic-no-ctr0-on-host "ctr0 left on the host"
    [[ ! -e $ROOT/$n ]] && pass nic-no-state-left || fail nic-no-state-left "$ROOT/$n left"
}

# The container's init SIGKILLed, then delete --force: the NIC comes back the same way.
case_nic_kill_force() {
    local n=nic-kill pid
    nic_setup || { fail nic-setup "cannot configure $NIC"; return; }
    new_bundle $n sleep 600 || { fail nic-kill "bundle"; return; }
    net_devices $n "{\"$NIC\": {\"name\": \"ctr0\"}}"
    (cd "$WORK/$n" && rt run -d $n >"$WORK/$n.out" 2>&1 </dev/null) || { fail nic-kill-run "$(one_line <"$WORK/$n.out")"; rt delete --force $n >/dev/null 2>&1; return; }
    [[ ! -e /sys/class/net/$NIC ]] && pass nic-kill-moved-out-of-host || fail nic-kill-moved-out-of-host "$NIC still on the host"
    pid=$(rt state $n | jq -r .pid)
    kill -KILL "$pid"
    local out
    out=$(rt delete --force $n 2>&1) || fail nic-kill-delete-force "$(one_line <<<"$out")"
    expect_host nic-back-after-kill-and-delete-force $NIC "$NIC_WANT"
    [[ ! -e $ROOT/$n ]] && pass nic-kill-no-state-left || fail nic-kill-no-state-left "$ROOT/$n left"
}

# rdmarun itself SIGKILLed in create right after the move (fault-point build), then delete --force.
case_nic_create_killed() {
    local n=nic-fault rc
    [[ -x ${FAULTS:-} ]] || { skip nic-create-killed-then-delete-force "no fault-point build (scripts/build.sh --faults)"; return; }
    nic_setup || { fail nic-setup "cannot configure $NIC"; return; }
    new_bundle $n sleep 600 || { fail nic-fault "bundle"; return; }
    net_devices $n "{\"$NIC\": {\"name\": \"ctr0\"}}"
    { (cd "$WORK/$n" && RDMARUN_TEST_FAULT=create.after-netdev-move timeout 60 "$FAULTS" --root "$ROOT" create $n </dev/null >/dev/null 2>&1); } 2>/dev/null
    rc=$?
    local out
    out=$(rt delete --force $n 2>&1) || fail nic-create-killed-delete-force "$(one_line <<<"$out")"
    if [[ $rc != 137 ]]; then fail nic-create-killed-then-delete-force "rdmarun exited $rc, not killed at create.after-netdev-move"; return; fi
    expect_host nic-create-killed-then-delete-force $NIC "$NIC_WANT"
    [[ ! -e $ROOT/$n ]] && pass nic-create-killed-no-state-left || fail nic-create-killed-no-state-left "$ROOT/$n left"
}

# A veth end is a virtual device: the kernel destroys it with the namespace, and its peer with it.
case_veth_destroyed() {
    local n=veth
    ip link add nsv0 type veth peer name nsv1 || { fail veth "cannot create nsv0/nsv1"; return; }
    new_bundle $n true || { fail veth "bundle"; return; }
    net_devices $n '{"nsv0": {"name": "eth1"}}'
    (cd "$WORK/$n" && rt run $n >"$WORK/$n.out" 2>&1 </dev/null) || fail veth-run "$(one_line <"$WORK/$n.out")"
    rt delete $n >/dev/null 2>&1
    local until=$((SECONDS + 10))
    while [[ -e /sys/class/net/nsv0 || -e /sys/class/net/nsv1 || -e /sys/class/net/eth1 ]] && ((SECONDS < until)); do sleep 0.3; done
    if [[ ! -e /sys/class/net/nsv0 && ! -e /sys/class/net/nsv1 && ! -e /sys/class/net/eth1 ]]; then pass veth-end-and-peer-destroyed-with-the-netns
    else fail veth-end-and-peer-destroyed-with-the-netns "$(ls /sys/class/net | one_line)"; ip link del nsv0 2>/dev/null; fi
}

# The 65536-byte line of ib_write_bw's report: "#bytes #iterations peak average msgrate".
bw_line() { awk '$1 == 65536 && NF >= 4 {print; exit}' "$1"; }
BW_ARGS="-x 1 -s 65536 -n 300 -F"
BW_CLIENT='for i in 1 2 3 4 5 6; do ib_write_bw -d $0 '"$BW_ARGS"' $1 && exit 0; sleep 1; done; exit 1'

# The control: the lab's rxe0 carries ib_write_bw (server and client on veth0's address), so a missing
# report line below means no traffic, not a broken tool.
case_rxe_control() {
    local srv
    timeout 60 ib_write_bw -d rxe0 $BW_ARGS >"$WORK/bw-host.srv" 2>&1 &
    srv=$!
    sleep 2
    timeout 50 sh -c "$BW_CLIENT" rxe0 192.168.77.1 >"$WORK/bw-host.out" 2>&1
    kill $srv 2>/dev/null; wait $srv 2>/dev/null
    if [[ -n $(bw_line "$WORK/bw-host.out") ]]; then pass "rxe-host-write-bw ($(bw_line "$WORK/bw-host.out" | awk '{print $4}') MB/s)"
    else fail rxe-host-write-bw "$(tail -n 5 "$WORK/bw-host.out" | one_line)"; fi
}

# Known limits of Linux 6.1's rxe, checked so that the README's claims fail CI the day they stop holding.
# 1. An rxe follows its netdev out of the initial netns only by dying: the move unregisters the netdev there,
#    and rxe removes the device (from every namespace). A container given an rxe's netdev, with that rxe
#    granted and a rate cap, gets the netdev (capped) and no RDMA device.
case_rxe_on_a_moved_netdev() {
    local n=rxe-moved out
    ip link add bwh type veth peer name bwc && ip addr add 10.67.0.2/24 dev bwc && rdma link add rxec type rxe netdev bwc \
        || { fail rxe-moved-setup "veth bwh/bwc or rxec"; ip link del bwh 2>/dev/null; return; }
    new_bundle $n sh -c 'echo "sees: $(ls /sys/class/infiniband | paste -sd" " -)"; ip -o addr show dev roce0 | grep -o "10.67.0.2/24"; tc qdisc show dev roce0' \
        || { fail rxe-moved "bundle"; return; }
    net_devices $n '{"bwc": {"name": "roce0"}}'
    annotate $n org.rdmarun.rdma.devices rxec
    annotate $n org.rdmarun.rdma.rate 8mbit
    (cd "$WORK/$n" && rt run $n >"$WORK/$n.out" 2>&1 </dev/null)
    rt delete --force $n >/dev/null 2>&1
    out=$(one_line <"$WORK/$n.out")
    if [[ $out == *"sees:  10.67.0.2/24 qdisc tbf"*"rate 8Mbit"* ]] && ! rdma link show rxec/1 >/dev/null 2>&1; then
        pass rxe-on-a-moved-netdev-is-removed-by-the-kernel-known-limit
    else
        fail rxe-on-a-moved-netdev-is-removed-by-the-kernel-known-limit "$(cut -c1-400 <<<"$out"); rdma: $(rdma link | one_line)"
    fi
    rdma link del rxec 2>/dev/null; ip link del bwh 2>/dev/null
    [[ ! -e /sys/class/net/roce0 && ! -e /sys/class/net/bwc && ! -e /sys/class/net/bwh && ! -e $ROOT/$n ]] \
        && pass rxe-moved-nothing-left || fail rxe-moved-nothing-left "$(ls /sys/class/net | one_line); $(ls $ROOT)"
}

# 2. An rxe made inside a netns on a netdev there: ib_write_bw with explicit GIDs exchanges its QP data over
#    TCP, and no RDMA write completes (rxe's UDP socket and route lookups stay in the initial netns). The
#    kernel's behaviour, shown without rdmarun (ip netns): it is why no container can carry rxe traffic here.
case_rxe_in_a_netns_carries_no_traffic() {
    local srv out
    ip netns add nsrxe && ip link add bwh type veth peer name bwc && ip link set bwc netns nsrxe \
        && ip -n nsrxe addr add 10.68.0.2/24 dev bwc && ip -n nsrxe link set bwc up && ip -n nsrxe link set lo up \
        && ip addr add 10.68.0.1/24 dev bwh && ip link set bwh up \
        && ip netns exec nsrxe rdma link add rxec type rxe netdev bwc && rdma link add rxeh type rxe netdev bwh \
        || { fail rxe-netns-setup "netns nsrxe, veth, rxec/rxeh"; ip netns del nsrxe 2>/dev/null; ip link del bwh 2>/dev/null; return; }
    timeout 40 ib_write_bw -d rxeh $BW_ARGS >"$WORK/bw-ns.srv" 2>&1 &
    srv=$!
    sleep 2
    timeout 35 ip netns exec nsrxe ib_write_bw -d rxec $BW_ARGS 10.68.0.1 >"$WORK/bw-ns.out" 2>&1
    kill $srv 2>/dev/null; wait $srv 2>/dev/null
    out=$(one_line <"$WORK/bw-ns.out")
    if [[ $out == *"remote address: LID"* && -z $(bw_line "$WORK/bw-ns.out") ]]; then
        pass rxe-in-a-netns-exchanges-over-tcp-but-completes-no-rdma-write-known-limit
    else
        fail rxe-in-a-netns-exchanges-over-tcp-but-completes-no-rdma-write-known-limit "$(cut -c1-400 <<<"$out")"
    fi
    ip netns exec nsrxe rdma link del rxec 2>/dev/null; rdma link del rxeh 2>/dev/null
    ip netns del nsrxe; ip link del bwh 2>/dev/null
}

# The rate cap on verbs traffic, shown with a container that shares the host's network namespace (RDMA shared
# mode, as MPI jobs run; the two known limits below rule out a container netns with rxe on 6.1). The container
# is granted its own soft-RoCE device rxeqc on its own netdev qc; the server's rxeqh on the peer qh runs bare on
# the host. Two local addresses normally talk over lo, bypassing the veth and any qdisc on it, so the routing
# is bent to put rxe's packets on the wire: the local table's rule moves from pref 0 to 1000, and rules for
# locally made packets (iif lo) between the two addresses send them out of the other's veth; accept_local and
# rp_filter=0 let the peer take packets from a local source. rxe finds its route with ip_route_output_key
# (source = the GID's address, oif = its netdev), which these rules answer. tbf shapes only egress: the
# container is the ib_write_bw client, whose RDMA writes carry the data from rxeqc out of qc, the capped side
# (the server sends only ACKs back over qh). The control channel (TCP) stays on lo.
QH=10.69.0.1 QC=10.69.0.2
hostnet_setup() {
    ip link add qh type veth peer name qc && ip addr add $QH/24 dev qh && ip addr add $QC/24 dev qc \
        && ip link set qh up && ip link set qc up \
        && rdma link add rxeqh type rxe netdev qh && rdma link add rxeqc type rxe netdev qc || return 1
    local s
    for s in all qh qc; do sysctl -qw net.ipv4.conf.$s.accept_local=1 net.ipv4.conf.$s.rp_filter=0 || return 1; done
    ip rule add pref 1000 lookup local && ip rule del pref 0 \
        && ip route add $QH/32 dev qc table 101 && ip route add $QC/32 dev qh table 102 \
        && ip rule add pref 10 iif lo from $QC to $QH lookup 101 && ip rule add pref 11 iif lo from $QH to $QC lookup 102 \
        && ip neigh replace $QH lladdr "$(cat /sys/class/net/qh/address)" dev qc nud permanent \
        && ip neigh replace $QC lladdr "$(cat /sys/class/net/qc/address)" dev qh nud permanent
}
hostnet_teardown() {
    ip rule del pref 10 2>/dev/null; ip rule del pref 11 2>/dev/null
    ip rule add pref 0 lookup local 2>/dev/null && ip rule del pref 1000 2>/dev/null
    ip route flush table 101 2>/dev/null; ip route flush table 102 2>/dev/null
    rdma link del rxeqc 2>/dev/null; rdma link del rxeqh 2>/dev/null; ip link del qh 2>/dev/null
}
# The GID index of DEV's IPv4 address ADDR (::ffff:a.b.c.d), read from sysfs rather than assumed.
gid_index() {
    local hex i
    hex=$(printf '%02x%02x:%02x%02x' ${2//./ })
    for i in $(seq 0 15); do
        [[ $(cat "/sys/class/infiniband/$1/ports/1/gids/$i" 2>/dev/null) == "0000:0000:0000:0000:0000:ffff:$hex" ]] && { echo "$i"; return; }
    done
    return 1
}
# hostnet_run NAME RATE|-: one ib_write_bw (client in the container, rxeqc) against a bare server on rxeqh; the
# container's output in $WORK/NAME.out. It shares the host netns, so it can show the qdisc on qc itself.
hostnet_run() {
    local n=$1 rate=$2 srv
    new_bundle $n sh -c 'tc qdisc show dev qc; for i in 1 2 3 4 5 6; do ib_write_bw -d rxeqc -x $0 -s 65536 -n 300 -F $1 && exit 0; sleep 1; done; exit 1' \
        "$GIDC" $QH || return 1
    edit "$WORK/$n" '.linux.namespaces |= map(select(.type != "network"))'
    annotate $n org.rdmarun.rdma.devices rxeqc
    [[ $rate != - ]] && annotate $n org.rdmarun.rdma.rate "$rate"
    timeout 90 ib_write_bw -d rxeqh -x "$GIDH" -s 65536 -n 300 -F >"$WORK/$n.srv" 2>&1 &
    srv=$!
    sleep 2
    (cd "$WORK/$n" && rt --rdma-policy "$WORK/hostnet-policy.json" run $n >"$WORK/$n.out" 2>&1 </dev/null)
    local rc=$?
    kill $srv 2>/dev/null; wait $srv 2>/dev/null
    rt --rdma-policy "$WORK/hostnet-policy.json" delete --force $n >/dev/null 2>&1
    return $rc
}
# Average MB/s of the 65536-byte line, or empty.
bw_avg() { bw_line "$1" | awk '{print $4}'; }

case_hostnet_rate_cap() {
    hostnet_setup || { fail hostnet-setup "veth qh/qc, rxeqh/rxeqc, rules: $(ip rule | one_line)"; hostnet_teardown; return; }
    GIDH=$(gid_index rxeqh $QH) GIDC=$(gid_index rxeqc $QC) || { fail hostnet-gid "no IPv4 GID on rxeqh/rxeqc"; hostnet_teardown; return; }
    echo '{"hostNetdevs": ["qc"], "maxRate": "100mbit"}' >"$WORK/hostnet-policy.json"
    local tx0 tx1 capped uncapped
    # Uncapped first: the path works and is clearly faster than the cap; the bytes go out of qc (not lo).
    tx0=$(cat /sys/class/net/qc/statistics/tx_bytes)
    hostnet_run hn-free - ; uncapped=$(bw_avg "$WORK/hn-free.out")
    tx1=$(cat /sys/class/net/qc/statistics/tx_bytes)
    if [[ -n $uncapped ]] && (( $(awk -v b="$uncapped" 'BEGIN {print (b > 4.0)}') )) && ((tx1 - tx0 >= 300 * 65536)); then
        pass "hostnet-uncapped-verbs-over-the-containers-netdev ($uncapped MB/s, $(( (tx1 - tx0) / 1048576 )) MiB out of qc)"
    else
        fail hostnet-uncapped-verbs-over-the-containers-netdev "avg '$uncapped' MB/s, qc sent $((tx1 - tx0)) bytes: $(tail -n 4 "$WORK/hn-free.out" | one_line)"
    fi
    # Capped at 16mbit = 2 MB/s (2 MiB/s * 1.1 = 2.2 as perftest's MB is 2^20 bytes, so the bound holds either way).
    hostnet_run hn-cap 16mbit; capped=$(bw_avg "$WORK/hn-cap.out")
    if [[ -n $capped ]] && (( $(awk -v b="$capped" 'BEGIN {print (b < 2.2)}') )) && grep -q "qdisc tbf .*root.*rate 16Mbit" "$WORK/hn-cap.out"; then
        pass "hostnet-capped-verbs-stay-under-16mbit ($capped MB/s; uncapped $uncapped)"
    else
        fail hostnet-capped-verbs-stay-under-16mbit "avg '$capped' MB/s: $(head -c 300 "$WORK/hn-cap.out" | one_line) ... $(tail -n 3 "$WORK/hn-cap.out" | one_line)"
    fi
    if [[ -z $(tc qdisc show dev qc | grep tbf) && ! -e $ROOT/hn-cap && ! -e $ROOT/hn-free ]]; then pass hostnet-no-qdisc-or-state-after-delete
    else fail hostnet-no-qdisc-or-state-after-delete "$(tc qdisc show dev qc | one_line); $(ls $ROOT)"; fi

    # A second capped container on the same netdev is refused (the first's cap is never replaced); delete --force
    # of the first (its init killed) removes its cap.
    local n=hn-hold out
    new_bundle $n sleep 600 && edit "$WORK/$n" '.linux.namespaces |= map(select(.type != "network"))' \
        && annotate $n org.rdmarun.rdma.devices rxeqc && annotate $n org.rdmarun.rdma.rate 8mbit || { fail hostnet-hold "bundle"; hostnet_teardown; return; }
    cp -r "$WORK/$n" "$WORK/hn-second"
    (cd "$WORK/$n" && rt --rdma-policy "$WORK/hostnet-policy.json" run -d $n >"$WORK/$n.out" 2>&1 </dev/null) || fail hostnet-hold-run "$(one_line <"$WORK/$n.out")"
    out=$(cd "$WORK/hn-second" && rt --rdma-policy "$WORK/hostnet-policy.json" create hn-second 2>&1 </dev/null)
    if [[ $? != 0 && $out == *"network device qc already has a root qdisc"* && ! -e $ROOT/hn-second ]] && tc qdisc show dev qc | grep -q "rate 8Mbit"; then
        pass hostnet-second-cap-on-the-same-netdev-refused-first-kept
    else
        fail hostnet-second-cap-on-the-same-netdev-refused-first-kept "$(one_line <<<"$out"); $(tc qdisc show dev qc | one_line)"
    fi
    kill -KILL "$(rt state $n | jq -r .pid)" 2>/dev/null
    out=$(rt --rdma-policy "$WORK/hostnet-policy.json" delete --force $n 2>&1) || fail hostnet-hold-delete-force "$(one_line <<<"$out")"
    if [[ -z $(tc qdisc show dev qc | grep tbf) && ! -e $ROOT/$n ]]; then pass hostnet-kill-then-delete-force-removes-the-cap
    else fail hostnet-kill-then-delete-force-removes-the-cap "$(tc qdisc show dev qc | one_line); $(ls $ROOT)"; fi

    # The policy gate: a netdev not in hostNetdevs is refused before anything exists.
    echo '{"hostNetdevs": ["eth9"]}' >"$WORK/hostnet-policy.json"
    out=$(cd "$WORK/hn-second" && rt --rdma-policy "$WORK/hostnet-policy.json" create hn-gate 2>&1 </dev/null)
    if [[ $? != 0 && $out == *"netdev qc of its RDMA device rxeqc is not in the policy's hostNetdevs"* && ! -e $ROOT/hn-gate && -z $(tc qdisc show dev qc | grep tbf) ]]; then
        pass hostnet-netdev-not-in-policy-refused
    else
        fail hostnet-netdev-not-in-policy-refused "$(one_line <<<"$out")"
    fi
    hostnet_teardown
}

inside_main() {
    local dir=$1 start=$SECONDS
    RT=${RDMARUN_BIN:-$REPO/out/rdmarun} FAULTS=${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun}
    WORK=$(mktemp -d /run/net-suite.XXXXXX)
    HOSTROOT=$WORK/hostroot
    [[ -e /sys/class/net/$NIC ]] || { fail setup "the lab has no $NIC (lab-run.sh adds a virtio-net NIC)"; echo "$passed passed, $failed failed, $skipped skipped"; return 1; }
    mkdir -p "$HOSTROOT" && mount --bind / "$HOSTROOT" && mount -o remount,bind,ro "$HOSTROOT" \
        || { fail setup "cannot bind / read-only at $HOSTROOT"; echo "$passed passed, $failed failed, $skipped skipped"; return 1; }
    case_nic_move_and_delete
    case_nic_kill_force
    case_nic_create_killed
    case_veth_destroyed
    case_rxe_control
    case_rxe_on_a_moved_netdev
    case_rxe_in_a_netns_carries_no_traffic
    case_hostnet_rate_cap
    umount "$HOSTROOT" 2>/dev/null
    rm -rf --one-file-system "$WORK"
    echo "net-suite: $((passed + failed + skipped)) cases in $((SECONDS - start)) s"
    echo "$passed passed, $failed failed, $skipped skipped"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
    inside_main "${2:-/tmp}"
else
    host_main
fi
