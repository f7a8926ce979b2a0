#!/bin/bash
# Kernel lab: boots Debian's 6.1 kernel in QEMU (TCG) with cgroup v2, every controller
# (incl. rdma) and a soft-RoCE device rxe0, runs one command inside and relays its
# output and exit status. See README.md next to this file.
#
# Exit codes of `run`: the command's own status, or
#   124  timeout (boot or command did not finish within --timeout)
#   125  lab failure (missing cache, kernel panic, setup failed inside the guest, qemu error)
#   2    usage error
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CACHE=${RDMARUN_LAB_CACHE:-/var/cache/rdmarun-lab}
EXIT_TIMEOUT=124
EXIT_LAB=125
EXIT_USAGE=2

# Modules the guest needs, by name; their dependencies come from modules.dep.
# crc32: rxe refuses to add a device without a crc32 provider. virtio_net: the lab's physical NIC eth0
# (net-suite moves it into containers); sch_tbf: the rate cap rdmarun puts on a container's netdev.
MODULES="crc32_generic crc32-pclmul virtio_pci 9pnet_virtio 9p overlay veth virtio_net sch_tbf ib_core ib_uverbs ib_umad rdma_ucm rdma_rxe udp_tunnel ip6_udp_tunnel"
APT_PACKAGES="qemu-system-x86 kmod busybox-static iproute2 rdma-core ibverbs-utils perftest xz-utils"
# Optional: lets selftest.sh compile a precise ibv_open_device probe.
APT_OPTIONAL="libibverbs-dev gcc"
KERNEL_ARGS=${LAB_KERNEL_ARGS:-"console=ttyS0 quiet panic=-1 cryptomgr.notests mitigations=off tsc=reliable no_timer_check"}

die() { echo "kernel-lab: $*" >&2; exit "$EXIT_LAB"; }
log() { [[ ${LAB_QUIET:-0} == 1 ]] || echo "kernel-lab: $*" >&2; }

usage() {
    cat >&2 <<'EOF'
usage: lab.sh build
       lab.sh run [--timeout SECONDS] [--share HOSTDIR] [--env NAME=VALUE]... [--verbose] [--systemd] -- CMD...
       lab.sh status
EOF
    exit "$EXIT_USAGE"
}

source "$LAB_DIR/lab-build.sh"
source "$LAB_DIR/lab-run.sh"

# ---------------------------------------------------------------- main

[[ $# -ge 1 ]] || usage
sub=$1
shift
case $sub in
    build) cmd_build "$@" ;;
    run) cmd_run "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    *) echo "kernel-lab: unknown subcommand $sub" >&2; usage ;;
esac
