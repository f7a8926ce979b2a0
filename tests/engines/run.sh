#!/usr/bin/env bash
# End-to-end engine suite: rdmarun driven by real dockerd, containerd (ctr) and podman from
# Debian's packages, each case run with rdmarun and with runc (a failure that happens only with
# rdmarun is rdmarun's; one with both is the harness's). Also tests scripts/install.sh.
#
#   tests/engines/run.sh [--runtimes "rdmarun runc"] [--only install,docker,containerd,podman]
#                        [--case GLOB] [--keep] [--lab]
#
# Every daemon gets private roots, sockets and pid files under a temp dir (dockerd also its own
# network namespace and containerd), so the host's engines are never touched. Each case prints
# PASS/FAIL/SKIP; the last line is "N passed, N failed, N skipped". Exit 1 when a case failed.
# --lab also runs rdma-lab.sh (RDMA through Docker and the cgroup v2 docker cases in the kernel
# lab, one boot; scripts/test.sh passes it unless --no-lab); without it that group counts as one
# skipped case.
# Environment: RDMARUN_BIN (default out/rdmarun), ENG_CMD_TIMEOUT (seconds per engine command, 60).
set -uo pipefail
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
runtimes="rdmarun runc" only="install,docker,containerd,podman" keep=0 lab=0
ENG_FILTER=""
while [ $# -gt 0 ]; do
    case $1 in
        --runtimes) runtimes=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --case) ENG_FILTER=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --lab) lab=1; shift ;;
        *) sed -n '2,15p' "$0" >&2; exit 2 ;;
    esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

[ "$(id -u)" = 0 ] || { echo "engines: must run as root (starts daemons)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# A fresh machine gets the engines from Debian here; an engine still missing is skipped below.
( source "$repo/scripts/lib/deps.sh" && ensure_deps engines ) || echo "engines: installing the engine packages failed"
RDMARUN_BIN=$(realpath "${RDMARUN_BIN:-$repo/out/rdmarun}")
[ -x "$RDMARUN_BIN" ] || { echo "engines: $RDMARUN_BIN missing (run scripts/build.sh)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

ENG_TMP=$(mktemp -d /tmp/rdmarun-engines.XXXXXX)
ENG_CGROUP_PARENT=rdmarun-e2e-$$
export ENG_TMP ENG_CGROUP_PARENT ENG_FILTER
for f in report rootfs leftovers dockerd containerd podman; do source "$here/lib/$f.sh"; done
for f in install docker containerd podman; do source "$here/cases/$f.sh"; done

stop_all() {
    podman_stop; containerd_stop; dockerd_stop; netns_remove
}
on_exit() {
    stop_all >/dev/null 2>&1
    # After an interrupt the leftover check did not run: clean what it would have.
    case_nothing_left >/dev/null 2>&1
    if [ "$keep" = 1 ]; then echo "kept $ENG_TMP"; else rm -rf "$ENG_TMP"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP PIPE

host_snapshot
echo "rdmarun: $RDMARUN_BIN; temp dir: $ENG_TMP; cgroup parent: /$ENG_CGROUP_PARENT"
make_rootfs "$ENG_TMP" || { echo "engines: cannot build the busybox rootfs"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# The binary as install.sh installs it; the engines are registered by install.sh's own edits.
ENG_PREFIX=$ENG_TMP/prefix
ENG_BIN=$ENG_PREFIX/bin/rdmarun
mkdir -p "$ENG_TMP/docker" "$ENG_TMP/containerd" "$ENG_TMP/podman"
dockerd_config "$ENG_TMP/docker/daemon.json"
containerd_config "$ENG_TMP/containerd/config.toml"
podman_config "$ENG_TMP/podman/containers.conf"
"$repo/scripts/install.sh" --bin "$RDMARUN_BIN" --prefix "$ENG_PREFIX" \
    --docker --docker-config "$ENG_TMP/docker/daemon.json" \
    --containerd --containerd-config "$ENG_TMP/containerd/config.toml" \
    --podman --podman-config "$ENG_TMP/podman/containers.conf" >"$ENG_TMP/install.log" 2>&1 || {
    echo "engines: scripts/install.sh failed:"; cat "$ENG_TMP/install.log"
    echo "0 passed, 1 failed, 0 skipped"; exit 1; }
export ENG_BIN

# The runtime as each engine names it: rdmarun through its registration, runc as shipped.
if wants install; then install_cases; fi

if wants docker; then
    if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
        for rt in $runtimes; do skip_case "docker/$rt/*" "dockerd or docker not installed (apt-get install docker.io)"; done
    elif dockerd_start; then
        docker_import_cases
        for rt in $runtimes; do docker_cases "$rt"; done
        [ "$ENG_FAILED" -gt 0 ] && dockerd_log_tail 25
    else
        ENG_FAILED=$((ENG_FAILED + 1)); ENG_FAILED_NAMES+=("docker/daemon-start"); echo "FAIL docker/daemon-start"
    fi
    dockerd_stop
fi

if wants containerd; then
    if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
        for rt in $runtimes; do skip_case "containerd/$rt/*" "containerd or ctr not installed (apt-get install containerd)"; done
    elif containerd_start; then
        for rt in $runtimes; do containerd_cases "$rt"; done
    else
        ENG_FAILED=$((ENG_FAILED + 1)); ENG_FAILED_NAMES+=("containerd/daemon-start"); echo "FAIL containerd/daemon-start"
    fi
    containerd_stop
fi

if wants podman; then
    if ! command -v podman >/dev/null; then
        for rt in $runtimes; do skip_case "podman/$rt/*" "podman not installed (apt-get install podman)"; done
    elif podman_setup; then
        for rt in $runtimes; do podman_cases "$rt"; done
    else
        ENG_FAILED=$((ENG_FAILED + 1)); ENG_FAILED_NAMES+=("podman/setup"); echo "FAIL podman/setup"
    fi
    podman_stop
fi

if [ "$lab" = 1 ]; then
    # Its own counts, added to ours (the lab boots a VM; its cases print as they run).
    RDMARUN_BIN=$RDMARUN_BIN "$here/rdma-lab.sh" | tee "$ENG_TMP/lab.log" | grep -v '^[0-9]* passed'
    read -r lp _ lf _ ls _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$ENG_TMP/lab.log" | tail -1)
    ENG_PASSED=$((ENG_PASSED + ${lp:-0})); ENG_FAILED=$((ENG_FAILED + ${lf:-1})); ENG_SKIPPED=$((ENG_SKIPPED + ${ls:-0}))
    grep '^FAIL' "$ENG_TMP/lab.log" | while read -r _ n _; do echo "$n"; done >"$ENG_TMP/lab.failed"
    while read -r n; do ENG_FAILED_NAMES+=("$n"); done <"$ENG_TMP/lab.failed"
else
    skip_case "lab/docker/*" "RDMA through Docker needs the kernel lab: tests/engines/run.sh --lab or tests/engines/rdma-lab.sh"
fi

stop_all
netns_remove
ENG_FILTER="" case_run "cleanup/nothing-left" case_nothing_left
report_summary
[ "$ENG_FAILED" -eq 0 ]
exit
}
