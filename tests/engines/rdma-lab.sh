#!/usr/bin/env bash
# RDMA through Docker in the kernel lab (cgroup v2, soft-RoCE rxe0): `docker run --runtime
# rdmarun -e RDMA_VISIBLE_DEVICES=rxe0` gets the grant, a container without it sees nothing, and
# runc (which ignores the variable) gets no device.
#
#   tests/engines/rdma-lab.sh             on the host: boots the lab once and runs the cases inside
#   tests/engines/rdma-lab.sh --inside DIR   the cases (DIR: the lab share)
# Prints PASS/FAIL lines and "N passed, N failed, N skipped"; exit 1 on a failure.
# Not part of scripts/test.sh (the lab boot under TCG is slow); RDMARUN_BIN overrides the binary.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

host_main() {
    local rc=0
    share=$(mktemp -d /tmp/rdmarun-engines-lab.XXXXXX) || exit 1
    trap 'rm -rf "$share"' EXIT
    trap 'exit 130' INT TERM PIPE
    # Copies: a rebuild during the run must not change what is tested; the guest sees the share.
    cp "${RDMARUN_BIN:-$repo/out/rdmarun}" "$share/rdmarun" || exit 1
    source "$here/lib/rootfs.sh"
    make_rootfs "$share"
    "$repo/tests/kernel-lab/lab.sh" run --timeout "${LAB_TIMEOUT:-900}" --share "$share" --env "ENG_VERBOSE=${ENG_VERBOSE:-0}" -- \
        "$(printf '%q ' bash "$here/rdma-lab.sh" --inside "$share")" || rc=$?
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
    ENG_TMP=/tmp/engines-lab ENG_FILTER=""
    mkdir -p "$ENG_TMP" "$d"
    source "$here/lib/report.sh"
    export DOCKER_HOST=unix://$d/docker.sock
    # No bridge: the guest's kernel config is the lab's, and the grant does not need a network.
    dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "$DOCKER_HOST" \
        --bridge none --iptables=false --add-runtime "rdmarun=$share/rdmarun" >"$d/log" 2>&1 &
    local pid=$! i
    for i in $(seq 1 300); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
    if ! docker version >/dev/null 2>&1; then
        echo "FAIL lab/dockerd: did not come up"; tail -20 "$d/log"
        echo "0 passed, 1 failed, 0 skipped" | tee "$share/summary"; return 1
    fi
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
    case_run "lab/docker/rdmarun/rdma-granted" granted
    case_run "lab/docker/rdmarun/rdma-ungranted-sees-nothing" ungranted
    case_run "lab/docker/runc/rdma-env-ignored" runc_no_grant
    case_run "lab/docker/rdmarun/rdma-policy-refusal" refused
    [ "$ENG_FAILED" -gt 0 ] && tail -20 "$d/log" | sed 's/^/    dockerd| /'
    docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1
    kill "$pid"; wait "$pid"
    report_summary | tail -1 >"$share/summary"
    report_summary
}

if [ "${1:-}" = --inside ]; then inside_main "$2"; else host_main; fi
