#!/bin/bash
# rdmarun's systemd cgroup driver (--systemd-cgroup) against a real systemd: the kernel lab booted with
# systemd as PID 1 (`lab.sh run --systemd`: the host's systemd 252 and dbus-daemon, cgroup v2 with every
# controller, rxe0).
# lab-boot: --systemd   (ci.sh: this suite gets a boot of its own with systemd as PID 1)
#
#   systemd-suite.sh               on the host: builds verbs-probe, boots the lab with --systemd, runs the cases
#   systemd-suite.sh --inside DIR  the cases themselves (DIR: a scratch/share dir; needs systemd as PID 1)
# Prints "PASS name" / "FAIL name: reason" lines and "N passed, N failed"; exit 0 only when all passed.
# RDMARUN_BIN overrides the binary (default: out/rdmarun of this checkout).
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=${SUITE_REPO:-$(cd "$LAB_DIR/../.." && pwd -P)}
RDMARUN=${RDMARUN_BIN:-$REPO/out/rdmarun}

# ---------------------------------------------------------------- host side

host_main() {
    local share rc=0
    share=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-systemd.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    if command -v gcc >/dev/null && [[ -f /usr/include/infiniband/verbs.h ]]; then
        gcc -O2 -Wall -o "$share/verbs-probe" "$LAB_DIR/verbs-probe.c" -libverbs \
            || echo "systemd-suite: gcc failed to build verbs-probe" >&2
    fi
    # Snapshots: edits or a rebuild on the host during the run must not reach the guest half-way.
    cp "$LAB_DIR/systemd-suite.sh" "$share/systemd-suite.sh"
    cp "$RDMARUN" "$share/rdmarun" || return 125
    "$LAB_DIR/lab.sh" run --systemd --timeout "${SUITE_TIMEOUT:-600}" --share "$share" --env "RDMARUN_BIN=$share/rdmarun" \
        --env "SUITE_REPO=$REPO" -- "$(printf '%q ' bash "$share/systemd-suite.sh" --inside "$share")" || rc=$?
    if [[ ! -f $share/summary ]]; then
        echo "FAIL lab: lab.sh run --systemd exited $rc before the cases finished"
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
SLICE=rdmarun-suite.slice # every container is the scope rdmarun-<id>.scope in this slice
# systemd nests a dashed slice in its prefix's slice: the driver must expand it the same way.
SLICE_DIR=rdmarun.slice/$SLICE
ROOT=/run/rdmarun-systemd-suite
# Every call is bounded (-k: SIGKILL if SIGTERM is not enough): a hang becomes a FAIL line naming the case
# rather than a lab timeout with no clue (a CI boot once sat 10 min in the first case).
rt() { timeout -k 5 60 "$RDMARUN" --root "$ROOT" --systemd-cgroup "$@"; }
systemctl() { timeout -k 5 30 /bin/systemctl "$@"; }
# Where the suite is, with the guest's uptime: the last line of a run that did not finish says which case.
begin() { echo "# $1 (uptime $(cut -d' ' -f1 /proc/uptime) s)"; }
unit_of() { echo "rdmarun-$1.scope"; }
scope_dir() { echo "$CG/$SLICE_DIR/$(unit_of "$1")"; }
# prop UNIT NAME: one property as systemd reports it (systemctl show -P).
prop() { systemctl show -P "$2" "$1" 2>&1; }

# new_bundle NAME ARGS...: a busybox bundle in $WORK/NAME whose process runs ARGS, cgroupsPath SLICE:rdmarun:NAME.
new_bundle() {
    local name=$1 dir=$WORK/$1 a
    shift
    mkdir -p "$dir/rootfs"/{bin,etc,proc,sys,dev,tmp,root} || return 1
    cp /bin/busybox "$dir/rootfs/bin/busybox" || return 1
    for a in sh cat echo sleep; do ln -s busybox "$dir/rootfs/bin/$a"; done
    (cd "$dir" && timeout -k 5 60 "$RDMARUN" spec) || { echo "rdmarun spec failed in $dir" >&2; return 1; }
    local args
    args=$(jq -cn '$ARGS.positional' --args -- "$@")
    edit "$dir" ".process.terminal = false | .process.args = $args | .linux.cgroupsPath = \"$SLICE:rdmarun:$name\""
}

edit() { jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"; }

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

# The unit and its cgroup are gone (the check every delete case ends with).
gone() { # gone NAME -> "" when gone, else what is left
    local n=$1 left="" ls
    ls=$(prop "$(unit_of "$n")" LoadState)
    [[ $ls == not-found ]] || left="unit LoadState=$ls ActiveState=$(prop "$(unit_of "$n")" ActiveState); "
    [[ -e $(scope_dir "$n") ]] && left+="$(scope_dir "$n") exists; "
    [[ -e $ROOT/$n ]] && left+="state dir $ROOT/$n exists"
    echo "$left"
}

# A scope in the requested slice, delegated, holding the container's processes; limits systemd has a
# property for are set through it (systemctl show) and land in the cgroup files; rdma.max is written
# directly; update goes through systemd too, so a daemon-reload keeps the updated limits.
case_scope_and_limits() {
    local n=lim unit dir pid
    new_bundle $n sh -c 'sleep 300' || { fail scope-delegated "bundle"; return; }
    mkdir -p "$WORK/$n/rootfs/usr" "$WORK/$n/rootfs/etc/libibverbs.d" "$WORK/$n/rootfs/probe"
    ln -s usr/lib "$WORK/$n/rootfs/lib"
    ln -s usr/lib64 "$WORK/$n/rootfs/lib64"
    edit "$WORK/$n" '.linux.resources.memory = {"limit": 67108864}
      | .linux.resources.pids = {"limit": 50}
      | .linux.resources.cpu = {"shares": 1024, "quota": 50000, "period": 100000}
      | .mounts += [
        {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
        {"destination": "/etc/libibverbs.d", "type": "bind", "source": "/etc/libibverbs.d", "options": ["rbind", "ro"]},
        {"destination": "/probe", "type": "bind", "source": "'"$SHARE"'", "options": ["rbind", "ro"]}]
      | .linux.namespaces |= map(select(.type != "network"))
      | .linux.devices = [{"path": "/dev/infiniband/uverbs0", "type": "c", "major": 231, "minor": 192, "fileMode": 438}]
      | .linux.resources.devices += [{"allow": true, "type": "c", "major": 231, "minor": 192, "access": "rw"}]
      | .linux.resources.rdma = {"rxe0": {"hcaHandles": 1, "hcaObjects": 3}}'
    run_detached $n || { fail scope-delegated "run failed: $(one_line <"$WORK/$n.log")"; return; }
    unit=$(unit_of $n)
    dir=$(scope_dir $n)
    pid=$(rt state $n | jq -r .pid)
    local st dg cgp procs own
    st=$(prop "$unit" ActiveState)
    dg=$(prop "$unit" Delegate)
    cgp=$(prop "$unit" ControlGroup)
    procs=$(one_line <"$dir/cgroup.procs" 2>&1)
    own=$(cat "/proc/$pid/cgroup" 2>&1)
    if [[ $st == active && $dg == yes && $cgp == "/$SLICE_DIR/$unit" && " $procs " == *" $pid "* && $own == "0::/$SLICE_DIR/$unit" ]]; then
        pass scope-delegated
    else
        fail scope-delegated "ActiveState '$st', Delegate '$dg', ControlGroup '$cgp', cgroup.procs '$procs' (init $pid), /proc/$pid/cgroup '$own'"
    fi

    local mm tm cw cq mf pf wf qf
    mm=$(prop "$unit" MemoryMax) tm=$(prop "$unit" TasksMax) cw=$(prop "$unit" CPUWeight) cq=$(prop "$unit" CPUQuotaPerSecUSec)
    mf=$(read_cg "$dir/memory.max") pf=$(read_cg "$dir/pids.max") wf=$(read_cg "$dir/cpu.weight") qf=$(read_cg "$dir/cpu.max")
    if [[ $mm == 67108864 && $tm == 50 && $cw == 39 && $cq == 500ms && $mf == 67108864 && $pf == 50 && $wf == 39 && $qf == "50000 100000" ]]; then
        pass limits-through-systemd
    else
        fail limits-through-systemd "systemd: MemoryMax '$mm' TasksMax '$tm' CPUWeight '$cw' CPUQuotaPerSecUSec '$cq'; files: memory.max '$mf' pids.max '$pf' cpu.weight '$wf' cpu.max '$qf'"
    fi

    local rm out
    rm=$(read_cg "$dir/rdma.max")
    if [[ $rm == "rxe0 hca_handle=1 hca_object=3" ]]; then pass rdma-max-written; else fail rdma-max-written "rdma.max reads '$rm'"; fi
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

    rt update --memory 134217728 --pids-limit 80 $n
    local um up fm fp
    um=$(prop "$unit" MemoryMax) up=$(prop "$unit" TasksMax) fm=$(read_cg "$dir/memory.max") fp=$(read_cg "$dir/pids.max")
    # systemd re-applies its own view of every unit on a reload: the update must survive it.
    systemctl daemon-reload
    local rm2 rp2 rr2
    rm2=$(read_cg "$dir/memory.max") rp2=$(read_cg "$dir/pids.max") rr2=$(read_cg "$dir/rdma.max")
    if [[ $um == 134217728 && $up == 80 && $fm == 134217728 && $fp == 80 && $rm2 == 134217728 && $rp2 == 80 && $rr2 == "rxe0 hca_handle=1 hca_object=3" ]]; then
        pass update-through-systemd
    else
        fail update-through-systemd "after update: MemoryMax '$um' TasksMax '$up' memory.max '$fm' pids.max '$fp'; after daemon-reload: memory.max '$rm2' pids.max '$rp2' rdma.max '$rr2'"
    fi

    rt pause $n
    local s1 f1 e1 s2 e2
    s1=$(rt state $n | jq -r .status)
    f1=$(read_cg "$dir/cgroup.freeze")
    wait_for 10 grep -q 'frozen 1' "$dir/cgroup.events"
    e1=$(grep frozen "$dir/cgroup.events")
    rt resume $n
    s2=$(rt state $n | jq -r .status)
    e2=$(grep frozen "$dir/cgroup.events")
    if [[ $s1 == paused && $f1 == 1 && $e1 == "frozen 1" && $s2 == running && $e2 == "frozen 0" ]]; then
        pass pause-resume
    else
        fail pause-resume "paused: status '$s1' cgroup.freeze '$f1' '$e1'; resumed: status '$s2' '$e2'"
    fi

    # delete --force of a running container: the unit is stopped and forgotten, the cgroup removed.
    local del left
    del=$(rt delete -f $n 2>&1)
    left=$(gone $n)
    if [[ -z $del && -z $left ]]; then pass delete-force-stops-unit; else fail delete-force-stops-unit "delete printed '$del'; left: $left"; fi
}

# A container that was created and never started: delete stops its unit (processes are still in it).
case_created_then_deleted() {
    local n=crt dir st del left
    new_bundle $n sleep 300 || { fail delete-created; return; }
    (cd "$WORK/$n" && rt create $n >"$WORK/$n.log" 2>&1 </dev/null) || { fail delete-created "create failed: $(one_line <"$WORK/$n.log")"; return; }
    st=$(prop "$(unit_of $n)" ActiveState)
    del=$(rt delete $n 2>&1)
    left=$(gone $n)
    if [[ $st == active && -z $del && -z $left ]]; then pass delete-created; else fail delete-created "unit was '$st' after create; delete printed '$del'; left: $left"; fi
}

# A foreground run: output and exit status through, and once it has exited nothing is left.
case_run_exit_status() {
    local n=fg out rc=0 left
    new_bundle $n sh -c 'cat /proc/self/cgroup; exit 7' || { fail run-exit-status; return; }
    out=$(cd "$WORK/$n" && rt run $n 2>&1 </dev/null) || rc=$?
    left=$(gone $n)
    if [[ $rc == 7 && $out == "0::/" && -z $left ]]; then
        pass run-exit-status
    else
        fail run-exit-status "exit $rc (want 7), printed '$(one_line <<<"$out")' (want 0::/ from its cgroup namespace); left: $left"
    fi
}

# Bad input: a cgroupsPath that is not slice:prefix:name is refused before anything is made.
case_bad_path() {
    local n=bad out rc=0 left units
    new_bundle $n true || { fail bad-cgroups-path; return; }
    edit "$WORK/$n" '.linux.cgroupsPath = "/not/a/systemd/path"'
    out=$(cd "$WORK/$n" && rt run $n 2>&1 </dev/null) || rc=$?
    units=$(systemctl list-units --all --no-legend "rdmarun-$n.scope" 2>&1 | grep -c "rdmarun-$n")
    left=""
    [[ -e $ROOT/$n ]] && left="state dir $ROOT/$n exists"
    if ((rc != 0)) && [[ $out == *'invalid systemd cgroupsPath'*'/not/a/systemd/path'* && $units == 0 && -z $left ]]; then
        pass bad-cgroups-path
    else
        fail bad-cgroups-path "exit $rc, printed '$(one_line <<<"$out")', units named rdmarun-$n: $units; $left"
    fi
}

guest_main() {
    SHARE=${1:-/tmp}
    WORK=$(mktemp -d /tmp/systemd-suite.XXXXXX)
    if [[ ! -x $RDMARUN ]]; then fail setup "no rdmarun binary at $RDMARUN"; echo "$passed passed, $failed failed" | tee "$SHARE/summary"; return 1; fi
    if [[ $(cat /proc/1/comm) != systemd || $(systemctl is-system-running 2>&1) != running ]]; then
        fail setup "PID 1 is '$(cat /proc/1/comm)', systemctl is-system-running: '$(systemctl is-system-running 2>&1)' (boot with lab.sh run --systemd)"
        echo "$passed passed, $failed failed" | tee "$SHARE/summary"
        return 1
    fi
    echo "systemd: $(systemctl --version | head -n 1)"
    begin scope-and-limits; case_scope_and_limits
    begin created-then-deleted; case_created_then_deleted
    begin run-exit-status; case_run_exit_status
    begin bad-path; case_bad_path
    # Nothing of ours may be left in systemd or the tree.
    local units
    units=$(systemctl list-units --all --no-legend 'rdmarun-*.scope' 2>&1)
    if [[ -z $units && ! -e $CG/$SLICE_DIR/rdmarun-lim.scope ]]; then pass nothing-left; else fail nothing-left "units: $(one_line <<<"$units")"; fi
    echo "$passed passed, $failed failed" | tee "$SHARE/summary"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
    shift
    guest_main "$@"
else
    host_main "$@"
fi
