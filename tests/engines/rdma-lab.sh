#!/usr/bin/env bash
# RDMA through Docker in the kernel lab (cgroup v2, soft-RoCE rxe0): `docker run --runtime
# rdmarun -e RDMA_VISIBLE_DEVICES=rxe0` gets the grant, a container without it sees nothing, and
# runc (which ignores the variable) gets no device. Also the host-suite docker cases that differ
# on cgroup v2 or need a full bounding set (limits, pause, update and OOM through the unified
# hierarchy; --privileged), with both runtimes.
#
#   tests/engines/rdma-lab.sh             on the host: builds the lab (cached), boots it once and
#                                         runs the cases inside
#   tests/engines/rdma-lab.sh --inside DIR   the cases (DIR: the lab share)
# Prints PASS/FAIL lines and "N passed, N failed, N skipped"; exit 1 on a failure.
# CI runs it through `tests/engines/run.sh --lab` (scripts/test.sh --suite engines).
# Environment: RDMARUN_BIN (the binary), LAB_TIMEOUT (seconds for the boot, default 1500).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

host_main() {
    local rc=0
    share=$(mktemp -d /tmp/rdmarun-engines-lab.XXXXXX) || exit 1
    trap 'rm -rf "$share"' EXIT
    trap 'exit 130' INT TERM PIPE
    # A fresh machine has no lab yet (the kernel-lab suite builds it later in scripts/test.sh).
    if ! "$repo/tests/kernel-lab/lab.sh" build >"$share/build.log" 2>&1; then
        echo "FAIL lab/build: tests/kernel-lab/lab.sh build failed:"; tail -15 "$share/build.log" | sed 's/^/    | /'
        echo "0 passed, 1 failed, 0 skipped"; return 1
    fi
    # Copies: a rebuild during the run must not change what is tested, and the guest cannot see a
    # checkout under /tmp (a fresh tmpfs there): the binary and these scripts go into the share.
    cp "${RDMARUN_BIN:-$repo/out/rdmarun}" "$share/rdmarun" || exit 1
    mkdir -p "$share/engines" && cp -r "$here/rdma-lab.sh" "$here/lib" "$here/cases" "$share/engines/" || exit 1
    source "$here/lib/rootfs.sh"
    make_rootfs "$share"
    "$repo/tests/kernel-lab/lab.sh" run --timeout "${LAB_TIMEOUT:-1500}" --share "$share" --env "ENG_VERBOSE=${ENG_VERBOSE:-0}" -- \
        "$(printf '%q ' bash "$share/engines/rdma-lab.sh" --inside "$share")" || rc=$?
    if [ -f "$share/summary" ]; then
        tail -1 "$share/summary"
        grep -q " 0 failed" "$share/summary"
    else
        echo "FAIL lab: lab.sh run exited $rc before the cases finished"
        echo "0 passed, 1 failed, 0 skipped"
        return 1
    fi
}

inside_main() {
    local share=$1 d=/tmp/docker
    ENG_TMP=/tmp/engines-lab ENG_FILTER="" ENG_CGROUP_PARENT=rdmarun-e2e-lab ENG_DOCKER_EXEC=$d/containerd/state
    mkdir -p "$ENG_TMP" "$d"
    source "$here/lib/report.sh"
    export DOCKER_HOST=unix://$d/docker.sock
    # containerd started here rather than by dockerd: dockerd gives its own containerd a fixed
    # time to come up, which an emulated CPU on a loaded host can exceed. Only what dockerd uses.
    cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[debug]
  address = ""
[metrics]
  address = ""
TOML
    containerd --config "$d/containerd.toml" >"$d/containerd.log" 2>&1 &
    local cpid=$! pid=""
    up() { # PID LOG what CMD...: polls CMD for up to 10 min while PID lives
        local p=$1 log=$2 what=$3 end=$((SECONDS + 600)); shift 3
        until "$@" >/dev/null 2>&1; do
            if ! kill -0 "$p" 2>/dev/null || [ $SECONDS -ge $end ]; then
                echo "FAIL lab/$what: did not come up"; tail -20 "$log"
                echo "0 passed, 1 failed, 0 skipped" | tee "$share/summary"; return 1
            fi
            sleep 1
        done
    }
    stop_daemons() {
        [ -n "$pid" ] && { kill "$pid"; wait "$pid"; }
        kill "$cpid"; wait "$cpid"
    } 2>/dev/null
    up "$cpid" "$d/containerd.log" containerd ctr --address "$d/containerd.sock" version || { stop_daemons; return 1; }
    # No bridge: the guest's kernel config is the lab's, and the grant does not need a network.
    dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "$DOCKER_HOST" \
        --containerd "$d/containerd.sock" --cgroup-parent "/$ENG_CGROUP_PARENT/docker" \
        --bridge none --iptables=false --add-runtime "rdmarun=$share/rdmarun" >"$d/log" 2>&1 &
    pid=$!
    up "$pid" "$d/log" dockerd docker version || { stop_daemons; return 1; }
    IMG=rdmarun-e2e/busybox:latest
    ENG_CMD_TIMEOUT=180
    t docker import "$share/busybox.tar" "$IMG" >/dev/null
    # One labelled line per fact: dev, sys, max (the container's rdma.max), open.
    local probe='echo "dev: $(ls /dev/infiniband 2>/dev/null | tr "\n" " ")"; echo "sys: $(ls /sys/class/infiniband 2>/dev/null | tr "\n" " ")";
        echo "max: $(cat /sys/fs/cgroup/rdma.max 2>&1 | tr "\n" " ")"; (exec 3<>/dev/infiniband/uverbs0) 2>/dev/null && echo "open: uverbs0"'

    # The admin policy (the guest's / is a throwaway overlay): default limits for a grant.
    mkdir -p /etc/rdmarun
    echo '{"defaultHcaHandles": 2, "defaultHcaObjects": 100}' >/etc/rdmarun/rdma.json
    granted() {
        local out; out=$(t docker run --rm --runtime rdmarun -e RDMA_VISIBLE_DEVICES=rxe0 "$IMG" sh -c "$probe" 2>&1)
        echo "$out"
        expect_match "/dev/infiniband" "^dev: .*uverbs0" "$out" && expect_match "/dev/infiniband" "^dev: .*rdma_cm" "$out" &&
            expect_match "/sys/class/infiniband" "^sys: rxe0" "$out" && expect_match "rdma.max (the policy's defaults)" "^max: rxe0 hca_handle=2 hca_object=100" "$out" &&
            expect_match "open of the verbs node" "^open: uverbs0" "$out"
    }
    ungranted() {
        local out; out=$(t docker run --rm --runtime rdmarun "$IMG" sh -c "$probe" 2>&1)
        echo "$out"
        expect_match "/dev/infiniband" "^dev: *$" "$out" && expect_match "/sys/class/infiniband" "^sys: *$" "$out" &&
            expect_no_match "open of the verbs node" "^open:" "$out"
    }
    runc_no_grant() {
        local out; out=$(t docker run --rm --runtime runc -e RDMA_VISIBLE_DEVICES=rxe0 "$IMG" sh -c "$probe" 2>&1)
        echo "$out"
        expect_match "runc ignores RDMA_VISIBLE_DEVICES: /dev/infiniband" "^dev: *$" "$out" &&
            expect_no_match "open of the verbs node" "^open:" "$out"
    }
    # A device outside the policy: create fails and docker shows rdmarun's message.
    refused() {
        echo '{"devices": {"mlx5_0": {}}}' >/etc/rdmarun/rdma.json
        local out rc; out=$(t docker run --rm --runtime rdmarun -e RDMA_VISIBLE_DEVICES=rxe0 "$IMG" true 2>&1); rc=$?
        echo "$out"
        [ $rc -ne 0 ] || fail "the container ran" || return 1
        expect_match "docker's error" "rxe0" "$out" && expect_match "docker's error" "rdma.json" "$out"
    }
    # The docker cases that take another path on cgroup v2 or need a full bounding set (the host
    # suite runs on v1 and may lack one), with both runtimes; the three limits share one container.
    ENG_DOCKER=docker
    source "$here/cases/docker.sh"
    local rt c
    for rt in rdmarun runc; do
        RT=$rt
        for c in limits pause update oom privileged; do
            case_run "lab/docker/$rt/${c//_/-}" "docker_$c"
        done
    done
    case_run "lab/docker/rdmarun/rdma-granted" granted
    case_run "lab/docker/rdmarun/rdma-ungranted-sees-nothing" ungranted
    case_run "lab/docker/runc/rdma-env-ignored" runc_no_grant
    case_run "lab/docker/rdmarun/rdma-policy-refusal" refused
    [ "$ENG_FAILED" -gt 0 ] && tail -20 "$d/log" | sed 's/^/    dockerd| /'
    docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1
    stop_daemons
    report_summary | tail -1 >"$share/summary"
    report_summary
}

# `exit` on the same line: bash has parsed it before the long run, so an edit of this file meanwhile
# cannot make it read on into garbage.
if [ "${1:-}" = --inside ]; then inside_main "$2"; else host_main; fi; exit
