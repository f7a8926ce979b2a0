#!/usr/bin/env bash
# lab-guest.sh: runs inside the kernel lab (see lab-host.sh); results go to $LAB_SHARE/raw.
set -euo pipefail
export BENCH_LIB=$(cd "$(dirname "$0")" && pwd)
export BENCH_STATE=/tmp/bench/state BENCH_RAW=$LAB_SHARE/raw BENCH_BUNDLE=/tmp/bench/true CRUN_MODE=native
RUNS=$BENCH_RUNS
mkdir -p "$BENCH_STATE" "$BENCH_RAW"
source "$BENCH_LIB/runtimes.sh"
source "$BENCH_LIB/latency.sh"
# The bundle was made on the host (lab-host.sh); a tmpfs copy keeps 9p out of the measured path.
mkdir -p "$(dirname "$BENCH_BUNDLE")" && cp -a "$LAB_SHARE/bundle" "$BENCH_BUNDLE"
"$BENCH_LIB/machine.sh" "$RDMARUN" "none (cgroup v2: crun runs natively)" >"$BENCH_RAW/machine.txt"
echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_RAW/machine.txt"
echo "rounds=$BENCH_ROUNDS runs=$RUNS" >>"$BENCH_RAW/machine.txt"
for r in $(seq "$BENCH_ROUNDS"); do
  printf '  lab round %s: run' "$r" >&2
  for rt in "${BENCH_RUNTIMES[@]}"; do
    hf run "$rt" "$r" "$RUNS" "" "$(rt_cmd "$rt") run --bundle $BENCH_BUNDLE $rt-run"
    printf ' %s' "$rt" >&2
  done
  echo >&2
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_RAW/machine.txt"
# RDMA bandwidth and latency, bare vs a granted container (needs rxe0, which the lab creates).
if [ -e /sys/class/infiniband/rxe0 ]; then "$BENCH_LIB/lab-rdma-guest.sh"; fi
