#!/bin/bash
# rdmarun's cgroup v2 handling, checked for real in the kernel lab (cgroup2 + rdma + rxe0).
#
#   cgroup-suite.sh               on the host: builds verbs-probe, boots the lab, runs the cases inside
#   cgroup-suite.sh --inside DIR  the cases themselves (DIR: a scratch/share dir); also what
#                                 `lab.sh run -- tests/kernel-lab/cgroup-suite.sh` ends up running
# Prints "PASS name" / "FAIL name: reason" lines and "N passed, N failed"; exit 0 only when all passed.
# RDMARUN_BIN overrides the binary (default: out/rdmarun of this checkout).
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=${SUITE_REPO:-$(cd "$LAB_DIR/../.." && pwd -P)}
RDMARUN=${RDMARUN_BIN:-$REPO/out/rdmarun}

# ---------------------------------------------------------------- host side

host_main() {
    local share rc=0
    share=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-cgroup.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Compiled here: gcc under TCG emulation is slow.
    if command -v gcc >/dev/null && [[ -f /usr/include/infiniband/verbs.h ]]; then
        gcc -O2 -Wall -o "$share/verbs-probe" "$LAB_DIR/verbs-probe.c" -libverbs \
            || echo "cgroup-suite: gcc failed to build verbs-probe" >&2
    fi
    # The guest reads the script over 9p as it goes: a copy keeps edits made meanwhile out of this run.
    # So is the binary: a rebuild on the host during the run would swap it under the guest.
    cp "$LAB_DIR/cgroup-suite.sh" "$share/cgroup-suite.sh"
    cp "$RDMARUN" "$share/rdmarun" || return 125
    "$LAB_DIR/lab.sh" run --timeout "${SUITE_TIMEOUT:-900}" --share "$share" --env "RDMARUN_BIN=$share/rdmarun" \
        --env "SUITE_REPO=$REPO" -- "$(printf '%q ' bash "$share/cgroup-suite.sh" --inside "$share")" || rc=$?
    if [[ ! -f $share/summary ]]; then
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
read_cg() { sed 's/[[:space:]]*$//' "$1" 2>&1; }

CG=/sys/fs/cgroup
PARENT=rdmarun-suite # every container's cgroup is $CG/$PARENT/<id> (absolute cgroupsPath)
ROOT=/run/rdmarun-suite
rt() { timeout 60 "$RDMARUN" --root "$ROOT" "$@"; }

# new_bundle NAME ARGS...: a busybox bundle in $WORK/NAME whose process runs ARGS, cgroup $PARENT/NAME.
new_bundle() {
    local name=$1 dir=$WORK/$1 a
    shift
    mkdir -p "$dir/rootfs"/{bin,etc,proc,sys,dev,tmp,root} || return 1
    cp /bin/busybox "$dir/rootfs/bin/busybox" || return 1
    for a in sh cat echo dd sleep head wc mknod grep kill; do ln -s busybox "$dir/rootfs/bin/$a"; done
    echo "root:x:0:0:root:/root:/bin/sh" >"$dir/rootfs/etc/passwd"
    (cd "$dir" && timeout 60 "$RDMARUN" spec) || { echo "rdmarun spec failed in $dir" >&2; return 1; }
    local args
    args=$(jq -cn '$ARGS.positional' --args -- "$@")
    edit "$dir" ".process.terminal = false | .process.args = $args | .linux.cgroupsPath = \"/$PARENT/$name\""
}

# edit DIR JQ-FILTER: rewrites DIR/config.json.
edit() { jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"; }

# run_detached NAME: `run -d` in the bundle dir; the container's output goes to $WORK/NAME.log.
run_detached() {
    local rc=0
    (cd "$WORK/$1" && rt run -d "$1" >"$WORK/$1.log" 2>&1 </dev/null) || rc=$?
    ((rc == 0)) || echo "(exit $rc)" >>"$WORK/$1.log"
    return $rc
}

wait_for() { # wait_for SECONDS CMD...: polls CMD every 0.2 s
    local end=$((SECONDS + $1))
    shift
    while ! "$@"; do ((SECONDS < end)) || return 1; sleep 0.2; done
}

case_memory_oom() {
    local n=mem dir
    new_bundle $n sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1; echo dd-exit=$?; sleep 300' || { fail memory-oom "bundle"; return; }
    edit "$WORK/$n" '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
    run_detached $n || { fail memory-oom "run failed: $(one_line <"$WORK/$n.log")"; return; }
    dir=$CG/$PARENT/$n
    wait_for 60 grep -q dd-exit "$WORK/$n.log"
    local max ev stats
    max=$(read_cg "$dir/memory.max")
    ev=$(grep oom_kill "$dir/memory.events" 2>&1)
    stats=$(rt events --stats $n 2>&1)
    local kills limit
    kills=$(jq -r '.data.memory.raw.oom_kill' <<<"$stats" 2>/dev/null)
    limit=$(jq -r '.data.memory.usage.limit' <<<"$stats" 2>/dev/null)
    if [[ $max == 33554432 && $ev == "oom_kill 1" && $(cat "$WORK/$n.log") == *"dd-exit=137"* && $kills == 1 && $limit == 33554432 ]]; then
        pass memory-oom
    else
        fail memory-oom "memory.max '$max', '$ev', log '$(one_line <"$WORK/$n.log")', events oom_kill '$kills' limit '$limit': $(head -c 300 <<<"$stats")"
    fi
    # A stream of events reports the next OOM kill as an "oom" event.
    local evlog=$WORK/$n.events
    rt events --interval 1s $n >"$evlog" 2>&1 &
    local evpid=$!
    sleep 1
    rt exec $n dd if=/dev/zero of=/dev/null bs=64M count=1 >/dev/null 2>&1
    if wait_for 20 grep -q '"type":"oom"' "$evlog" && wait_for 20 grep -q '"type":"stats"' "$evlog"; then
        pass events-stream-oom
    else
        fail events-stream-oom "events printed: $(head -c 300 "$evlog" | one_line)"
    fi
    rt delete -f $n >/dev/null 2>&1
    # The stream ends by itself once the container is gone.
    if wait_for 20 bash -c "! kill -0 $evpid 2>/dev/null"; then
        pass events-stream-ends
    else
        fail events-stream-ends "rdmarun events still running after delete"
        kill $evpid
    fi
}

case_pids_fork_bomb() {
    local n=pids dir
    # The bomb runs in a subshell: busybox sh exits when a fork fails, the outer one lives on.
    new_bundle $n sh -c '(i=0; while [ $i -lt 40 ]; do sleep 300 & i=$((i+1)); done); echo spawned; sleep 300' || { fail pids-limit "bundle"; return; }
    edit "$WORK/$n" '.linux.resources.pids = {"limit": 10}'
    run_detached $n || { fail pids-limit "run failed: $(one_line <"$WORK/$n.log")"; return; }
    dir=$CG/$PARENT/$n
    wait_for 60 grep -q spawned "$WORK/$n.log"
    local max cur
    max=$(read_cg "$dir/pids.max")
    cur=$(read_cg "$dir/pids.current")
    if [[ $max == 10 && $cur =~ ^[0-9]+$ ]] && ((cur >= 9 && cur <= 10)) && grep -q "can't fork" "$WORK/$n.log"; then
        pass pids-limit
    else
        fail pids-limit "pids.max '$max', pids.current '$cur', log: $(head -c 200 "$WORK/$n.log" | one_line)"
    fi
    # update changes pids.max live, from flags and from a LinuxResources JSON on stdin.
    rt update --pids-limit 20 $n
    local a b
    a=$(read_cg "$dir/pids.max")
    echo '{"pids": {"limit": 15}}' | rt update -r - $n
    b=$(read_cg "$dir/pids.max")
    local more
    # The background sleep must not hold the output pipe, or $(...) waits for it.
    more=$(rt exec $n sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo started' 2>&1)
    if [[ $a == 20 && $b == 15 && $more == started ]]; then pass update-pids-live; else fail update-pids-live "pids.max after --pids-limit 20: '$a', after -r: '$b', exec: '$more'"; fi
    # ps --format json: the cgroup's pids
    local pids count
    pids=$(rt ps --format json $n 2>&1)
    count=$(jq length <<<"$pids" 2>/dev/null)
    if [[ $count == $(read_cg "$dir/pids.current") && $(jq '.[0]' <<<"$pids") =~ ^[0-9]+$ ]]; then pass ps-json; else fail ps-json "ps printed '$pids', pids.current $(read_cg "$dir/pids.current")"; fi
    rt delete -f $n >/dev/null 2>&1
}

# Device rules on v2 are an eBPF program. /dev/kmsg (c 1:11) is not a default device: a node made
# with mknod is writable only when linux.resources.devices allows it, and a later deny rule wins.
# (A deny of a default device such as /dev/null has no effect: the defaults are appended after the
# spec's rules, as runc does.)
case_devices_bpf() {
    local n out rc allowed denied
    for n in devallow devdeny; do
        new_bundle $n sh -c 'mknod /dev/kmsg2 c 1 11 && { echo hi >/dev/kmsg2 && echo written || echo refused; }' || { fail devices-ebpf "bundle"; return; }
        edit "$WORK/$n" '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])
          | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'
    done
    edit "$WORK/devdeny" '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
    allowed=$(cd "$WORK/devallow" && rt run devallow 2>&1)
    denied=$(cd "$WORK/devdeny" && rt run devdeny 2>&1)
    if [[ $allowed == written && $denied == *"Operation not permitted"* && $denied == *refused* ]]; then
        pass devices-ebpf
    else
        fail devices-ebpf "allowed container printed '$(one_line <<<"$allowed")', denied container '$(one_line <<<"$denied")'"
    fi
    rt delete -f devallow >/dev/null 2>&1
    rt delete -f devdeny >/dev/null 2>&1
}

case_rdma_limit() {
    local n=rdma dir out
    new_bundle $n sh -c 'cat /proc/self/cgroup; sleep 300' || { fail rdma-max "bundle"; return; }
    mkdir -p "$WORK/$n/rootfs/usr" "$WORK/$n/rootfs/etc/libibverbs.d" "$WORK/$n/rootfs/probe"
    ln -s usr/lib "$WORK/$n/rootfs/lib"
    ln -s usr/lib64 "$WORK/$n/rootfs/lib64"
    # Host libraries for the probe, the device node, and no network namespace (rxe0 lives in the initial one).
    edit "$WORK/$n" '.mounts += [
        {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
        {"destination": "/etc/libibverbs.d", "type": "bind", "source": "/etc/libibverbs.d", "options": ["rbind", "ro"]},
        {"destination": "/probe", "type": "bind", "source": "'"$SHARE"'", "options": ["rbind", "ro"]}]
      | .linux.namespaces |= map(select(.type != "network"))
      | .linux.devices = [{"path": "/dev/infiniband/uverbs0", "type": "c", "major": 231, "minor": 192, "fileMode": 438}]
      | .linux.resources.devices += [{"allow": true, "type": "c", "major": 231, "minor": 192, "access": "rw"}]
      | .linux.resources.rdma = {"rxe0": {"hcaHandles": 1, "hcaObjects": 3}}'
    run_detached $n || { fail rdma-max "run failed: $(one_line <"$WORK/$n.log")"; return; }
    dir=$CG/$PARENT/$n
    local max
    max=$(read_cg "$dir/rdma.max")
    if [[ $max == "rxe0 hca_handle=1 hca_object=3" ]]; then pass rdma-max; else fail rdma-max "rdma.max reads '$max'"; fi
    if [[ -x $SHARE/verbs-probe ]]; then
        out=$(rt exec $n /probe/verbs-probe rxe0 contexts 2 2>&1)
        if [[ $out == $'context 1: ok\ncontext 2: errno 11 '* ]]; then
            pass rdma-second-context-fails
        else
            fail rdma-second-context-fails "probe in the container printed: $(one_line <<<"$out")"
        fi
    else
        fail rdma-second-context-fails "no verbs-probe in $SHARE (gcc or libibverbs-dev missing on the host)"
    fi
    local stats
    stats=$(rt events --stats $n 2>&1)
    if [[ $(jq -r '.data.rdma.rxe0.hcaHandlesLimit' <<<"$stats" 2>/dev/null) == 1 ]]; then pass events-rdma; else fail events-rdma "$(head -c 300 <<<"$stats")"; fi
    rt delete -f $n >/dev/null 2>&1
}

case_pause_resume_delete() {
    local n=frz dir st1 st2 fz1 fz2 ev1 ev2
    new_bundle $n sleep 300 || { fail pause-freezes "bundle"; return; }
    run_detached $n || { fail pause-freezes "run failed: $(one_line <"$WORK/$n.log")"; return; }
    dir=$CG/$PARENT/$n
    rt pause $n
    st1=$(rt state $n | jq -r .status)
    fz1=$(read_cg "$dir/cgroup.freeze")
    wait_for 10 grep -q 'frozen 1' "$dir/cgroup.events"
    ev1=$(grep frozen "$dir/cgroup.events")
    local again
    again=$(rt pause $n 2>&1)
    rt resume $n
    st2=$(rt state $n | jq -r .status)
    fz2=$(read_cg "$dir/cgroup.freeze")
    ev2=$(grep frozen "$dir/cgroup.events")
    if [[ $st1 == paused && $fz1 == 1 && $ev1 == "frozen 1" && $again == *"container not running"* ]]; then
        pass pause-freezes
    else
        fail pause-freezes "status '$st1', cgroup.freeze '$fz1', cgroup.events '$ev1', second pause: '$again'"
    fi
    if [[ $st2 == running && $fz2 == 0 && $ev2 == "frozen 0" ]]; then pass resume-thaws; else fail resume-thaws "status '$st2', cgroup.freeze '$fz2', cgroup.events '$ev2'"; fi
    rt kill $n KILL
    wait_for 20 bash -c "[[ \$('$RDMARUN' --root '$ROOT' state $n | jq -r .status) == stopped ]]"
    rt delete $n
    if [[ ! -e $dir ]]; then pass delete-removes-cgroup; else fail delete-removes-cgroup "$dir still exists"; fi
}

guest_main() {
    SHARE=${1:-/tmp}
    WORK=$(mktemp -d /tmp/cgroup-suite.XXXXXX)
    if [[ ! -x $RDMARUN ]]; then fail setup "no rdmarun binary at $RDMARUN"; echo "$passed passed, $failed failed" | tee "$SHARE/summary"; return 1; fi
    if [[ ! -x $SHARE/verbs-probe ]] && command -v gcc >/dev/null && [[ -f /usr/include/infiniband/verbs.h ]]; then
        gcc -O2 -o "$SHARE/verbs-probe" "$REPO/tests/kernel-lab/verbs-probe.c" -libverbs 2>/dev/null
    fi
    case_pause_resume_delete
    case_memory_oom
    case_pids_fork_bomb
    case_devices_bpf
    case_rdma_limit
    echo "$passed passed, $failed failed" | tee "$SHARE/summary"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
    shift
    guest_main "$@"
elif [[ $(hostname) == kernel-lab ]]; then
    guest_main "$(mktemp -d /tmp/cgroup-suite-share.XXXXXX)"
else
    host_main "$@"
fi
