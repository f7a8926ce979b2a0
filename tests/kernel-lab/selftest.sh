#!/bin/bash
# Real checks of the kernel lab: cgroup2 + rdma controller + soft-RoCE rxe0, using only host tools.
#
#   selftest.sh [--broken]        boot the lab and run every case inside; prints "PASS name" /
#                                 "FAIL name: reason" lines and "N passed, N failed"; exit 0 only
#                                 when all passed. --broken expects a wrong rdma.max value, to
#                                 prove a failing case is reported as FAIL with a non-zero exit.
#   selftest.sh --inside [--broken] DIR   (run by the first form inside the guest; DIR is the share)
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# ---------------------------------------------------------------- host side

host_main() {
    local broken=""
    case ${1:-} in
        --broken) broken=--broken ;;
        "") ;;
        *) echo "usage: selftest.sh [--broken]" >&2; return 2 ;;
    esac
    local share
    share=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-selftest.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Compiled here, not in the guest: gcc under TCG emulation is slow.
    # SELFTEST_NO_PROBE=1 exercises the fallback a machine without libibverbs-dev takes.
    if [[ ${SELFTEST_NO_PROBE:-0} != 1 ]] && command -v gcc >/dev/null && [[ -f /usr/include/infiniband/verbs.h ]]; then
        gcc -O2 -Wall -o "$share/verbs-probe" "$LAB_DIR/verbs-probe.c" -libverbs \
            || echo "selftest: gcc failed to build verbs-probe, using the ibv_devinfo fallback" >&2
    fi
    # The guest runs its copy from the share: the host's /tmp (a checkout there) is not in the guest.
    cp "$LAB_DIR/selftest.sh" "$share/selftest.sh" || return 125
    local rc=0
    "$LAB_DIR/lab.sh" run --timeout "${SELFTEST_TIMEOUT:-300}" --share "$share" -- \
        "$(printf '%q ' bash "$share/selftest.sh" --inside $broken "$share")" || rc=$?
    if [[ ! -f $share/summary ]]; then
        # The lab itself failed (lab.sh said why on stderr): that is a failure, never a pass.
        echo "FAIL lab: lab.sh run exited $rc before the cases finished"
        echo "0 passed, 1 failed"
        ((rc != 0)) || rc=1
    fi
    return "$rc"
}

# ---------------------------------------------------------------- guest side

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
one_line() { tr '\n' ' ' | sed 's/ *$//'; }
# The kernel ends rdma.max/rdma.current lines with a space; compare content without it.
read_cg() { sed 's/[[:space:]]*$//' "$1" 2>&1; }

CG=/sys/fs/cgroup
DEV=rxe0

case_controllers() {
    local ctl sub
    ctl=$(cat $CG/cgroup.controllers 2>&1)
    sub=$(cat $CG/cgroup.subtree_control 2>&1)
    if [[ " $ctl " != *" rdma "* ]]; then
        fail cgroup2-rdma-controller "cgroup.controllers has no rdma: $ctl"
    elif [[ " $sub " != *" rdma "* ]]; then
        fail cgroup2-rdma-controller "rdma not enabled in the root's cgroup.subtree_control: $sub"
    else
        pass cgroup2-rdma-controller
    fi
}

case_default_max() {
    local want="$DEV hca_handle=max hca_object=max" got
    [[ $BROKEN == 1 ]] && want="$DEV hca_handle=7 hca_object=max"
    mkdir -p $CG/selftest-default
    got=$(read_cg $CG/selftest-default/rdma.max)
    rmdir $CG/selftest-default
    if [[ $got == "$want" ]]; then pass rdma-max-default; else fail rdma-max-default "rdma.max reads '$got', want '$want'"; fi
}

case_sysfs() {
    local state
    if [[ ! -d /sys/class/infiniband/$DEV ]]; then
        fail rxe0-sysfs-active "/sys/class/infiniband/$DEV does not exist"
        return
    fi
    state=$(cat /sys/class/infiniband/$DEV/ports/1/state 2>&1)
    if [[ $state == "4: ACTIVE" ]]; then pass rxe0-sysfs-active; else fail rxe0-sysfs-active "port 1 state is '$state'"; fi
}

case_uverbs_node() {
    local node=/dev/infiniband/uverbs0 ibdev majmin
    ibdev=$(cat /sys/class/infiniband_verbs/uverbs0/ibdev 2>&1)
    majmin=$(stat -c '%t:%T' $node 2>&1)
    if [[ ! -c $node ]]; then
        fail uverbs-node "$node is not a character device"
    elif [[ $majmin != "e7:c0" ]]; then
        fail uverbs-node "$node is $majmin (hex), want 231:192"
    elif [[ $ibdev != "$DEV" ]]; then
        fail uverbs-node "uverbs0 belongs to '$ibdev', want $DEV"
    else
        pass uverbs-node
    fi
}

case_ibv_devices() {
    local out
    out=$(ibv_devices 2>&1)
    if grep -qw "$DEV" <<<"$out"; then pass ibv-devices-lists-rxe0; else fail ibv-devices-lists-rxe0 "ibv_devices printed: $(one_line <<<"$out")"; fi
}

# Runs "$@" as a process inside cgroup $1.
in_cgroup() {
    local cg=$1
    shift
    bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

wait_current_zero() {
    local f=$1 want="$DEV hca_handle=0 hca_object=0" got
    for _ in $(seq 1 30); do
        got=$(read_cg "$f")
        [[ $got == "$want" ]] && return 0
        sleep 0.1
    done
    echo "$got"
    return 1
}

case_limit_with_probe() {
    local probe=$1 cg=$CG/selftest-limit out rc
    mkdir -p $cg
    echo "$DEV hca_handle=1 hca_object=3" >$cg/rdma.max
    local max
    max=$(read_cg $cg/rdma.max)
    if [[ $max != "$DEV hca_handle=1 hca_object=3" ]]; then
        fail rdma-limit-contexts "rdma.max reads '$max' after writing hca_handle=1 hca_object=3"
        rmdir $cg
        return
    fi

    out=$(in_cgroup $cg "$probe" $DEV contexts 2 2>&1)
    rc=$?
    if [[ $rc == 1 && $out == $'context 1: ok\ncontext 2: errno 11 '* ]]; then
        pass rdma-limit-contexts
    else
        fail rdma-limit-contexts "want the 2nd ibv_open_device to fail with EAGAIN, probe exited $rc: $(one_line <<<"$out")"
    fi

    out=$(in_cgroup $cg "$probe" $DEV pds 4 $cg/rdma.current 2>&1)
    rc=$?
    local want=$'context 1: ok\npd 1: ok\npd 2: ok\npd 3: ok\npd 4: errno 11 (Resource temporarily unavailable)\ncurrent: '"$DEV hca_handle=1 hca_object=3"
    if [[ $rc == 1 && $out == "$want" ]]; then
        pass rdma-limit-objects
    else
        fail rdma-limit-objects "want pd 1-3 ok, pd 4 EAGAIN, current at the limit; probe exited $rc: $(one_line <<<"$out")"
    fi

    local left
    if left=$(wait_current_zero $cg/rdma.current); then
        pass rdma-current-released
    else
        fail rdma-current-released "rdma.current reads '$left' after the probe exited"
    fi
    rmdir $cg
}

# Without the probe (no libibverbs-dev): hca_handle=0 makes ibv_devinfo fail, 1 lets it work.
case_limit_with_devinfo() {
    local cg=$CG/selftest-limit out rc
    mkdir -p $cg
    echo "$DEV hca_handle=0 hca_object=max" >$cg/rdma.max
    out=$(in_cgroup $cg ibv_devinfo -d $DEV 2>&1)
    rc=$?
    local denied=$rc
    echo "$DEV hca_handle=1 hca_object=max" >$cg/rdma.max
    out2=$(in_cgroup $cg ibv_devinfo -d $DEV 2>&1)
    rc=$?
    if [[ $denied != 0 && $rc == 0 ]]; then
        pass rdma-limit-contexts-devinfo
    else
        fail rdma-limit-contexts-devinfo "ibv_devinfo exited $denied with hca_handle=0 (want non-zero) and $rc with hca_handle=1 (want 0): $(one_line <<<"$out $out2")"
    fi
    rmdir $cg
}

case_parent_binds_child() {
    local parent=$CG/selftest-parent child=$CG/selftest-parent/child out rc
    mkdir -p $parent
    echo +rdma >$parent/cgroup.subtree_control
    mkdir -p $child
    echo "$DEV hca_handle=0 hca_object=max" >$parent/rdma.max
    local cmax
    cmax=$(read_cg $child/rdma.max)
    out=$(in_cgroup $child ibv_devinfo -d $DEV 2>&1)
    rc=$?
    rmdir $child $parent
    if [[ $rc != 0 && $cmax == "$DEV hca_handle=max hca_object=max" ]]; then
        pass rdma-parent-limit-binds-child
    else
        fail rdma-parent-limit-binds-child "child rdma.max '$cmax', ibv_devinfo in the child exited $rc (want non-zero): $(one_line <<<"$out")"
    fi
}

case_rc_pingpong() {
    local dir=$1 srv rc=1 out
    timeout 90 ibv_rc_pingpong -d $DEV -g 1 -n 200 >"$dir/pingpong-server.log" 2>&1 &
    srv=$!
    for _ in $(seq 1 20); do
        sleep 0.5
        out=$(timeout 60 ibv_rc_pingpong -d $DEV -g 1 -n 200 127.0.0.1 2>&1) && { rc=0; break; }
        kill -0 $srv 2>/dev/null || break
    done
    local src=0
    wait $srv || src=$?
    if [[ $rc == 0 && $src == 0 ]] && grep -q 'iters in' <<<"$out"; then
        pass rc-pingpong
    else
        fail rc-pingpong "client rc $rc: $(one_line <<<"$out") | server rc $src: $(one_line <"$dir/pingpong-server.log")"
    fi
}

case_rdma_tool() {
    local out
    out=$(rdma system show 2>&1)
    if [[ $? == 0 && $out == *"netns shared"* ]]; then pass rdma-system-show; else fail rdma-system-show "$(one_line <<<"$out")"; fi
    out=$(rdma link show $DEV/1 2>&1)
    if [[ $out == *"state ACTIVE"* && $out == *"netdev veth0"* ]]; then pass rdma-link-show; else fail rdma-link-show "$(one_line <<<"$out")"; fi
}

guest_main() {
    BROKEN=0
    [[ ${1:-} == --broken ]] && { BROKEN=1; shift; }
    local dir=${1:?share dir}
    case_controllers
    case_default_max
    case_sysfs
    case_uverbs_node
    case_ibv_devices
    if [[ -x $dir/verbs-probe ]]; then
        case_limit_with_probe "$dir/verbs-probe"
    else
        echo "note: no verbs-probe (gcc or libibverbs-dev missing), using ibv_devinfo with hca_handle=0"
        case_limit_with_devinfo
    fi
    case_parent_binds_child
    case_rc_pingpong "$dir"
    case_rdma_tool
    echo "$passed passed, $failed failed" | tee "$dir/summary"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
    shift
    guest_main "$@"
else
    host_main "$@"
fi
