#!/usr/bin/env bash
# run.sh [--rounds N] [--smoke] [--lab]: rdmarun vs runc vs crun on one busybox bundle on this machine.
# Writes bench/results/latest.md and latest.svg (--lab: lab-latest.md and lab-latest.svg). See docs/benchmarks.md.
#   --rounds N  rounds of every measurement, the runtimes interleaved in each (default 5)
#   --runs N    hyperfine runs per runtime per round for each latency metric (default 10)
#   --smoke     one round, 2 runs, 5 parallel: a CI check that everything still works (~1 min idle)
#   --lab       `run` of /bin/true inside the kernel lab (cgroup v2, crun native; emulated CPU: ratios only)
#   --out DIR   where results go (default bench/results; raw data in DIR/raw)
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_LIB=$BENCH_DIR/lib
REPO=$(dirname "$BENCH_DIR")
ROUNDS=5 RUNS=10 PAR_N=100 PAR_RUNS=1 MODE=host OUT=$BENCH_DIR/results
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --smoke) ROUNDS=1 RUNS=2 PAR_N=5 ;;
    --lab) MODE=lab ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "bench: must run as root (containers with namespaces and cgroups)" >&2; exit 1; }
for tool in hyperfine runc crun python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done
export RDMARUN=${RDMARUN:-$REPO/out/rdmarun}
[ -x "$RDMARUN" ] || { echo "bench: no rdmarun binary at $RDMARUN (scripts/build.sh)" >&2; exit 1; }
mkdir -p "$OUT"

if [ "$MODE" = lab ]; then
  exec "$BENCH_LIB/lab-host.sh" "$ROUNDS" "$RUNS" "$OUT"
fi

WORK=$(mktemp -d /tmp/rdmarun-bench.XXXXXX)
# Raw data stays in bench/results/raw (not committed) so a failed run can still be inspected.
export BENCH_STATE=$WORK/state BENCH_RAW=$OUT/raw BENCH_LIB CRUN_MODE=nsenter CRUN_NS=$WORK/ns/mnt
export CRUN_SCRIPT=$REPO/tests/conformance/scripts/crun-legacy-cgroups.sh
export BENCH_BUNDLE=$WORK/true BENCH_SLEEP_BUNDLE=$WORK/sleep
rm -rf "$BENCH_RAW"; mkdir -p "$BENCH_RAW" "$BENCH_STATE"
# A snapshot: out/rdmarun is rebuilt by others while the bench runs, which mixed versions (and once broke
# a run half-way). The init stage re-executes /proc/self/exe, so the copy is self-contained.
cp "$RDMARUN" "$WORK/rdmarun"
export RDMARUN=$WORK/rdmarun
source "$BENCH_LIB/runtimes.sh"
source "$BENCH_LIB/latency.sh"
source "$BENCH_LIB/rss.sh"
trap 'latency_teardown; "$BENCH_LIB/crun_ns.sh" down "$WORK/ns"; rm -rf "$WORK"' EXIT

"$BENCH_LIB/crun_ns.sh" up "$WORK/ns"
"$BENCH_LIB/bundle.sh" "$BENCH_BUNDLE" /bin/true
# The sleep bundle is a copy with other args (cp is much faster than make-bundle's ~400 `ln` calls).
cp -a "$BENCH_BUNDLE" "$BENCH_SLEEP_BUNDLE"
sed -i 's|"/bin/true"|"sleep", "100000"|' "$BENCH_SLEEP_BUNDLE/config.json"
"$BENCH_LIB/machine.sh" "$RDMARUN" "$CRUN_SCRIPT" >"$BENCH_RAW/machine.txt"
echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_RAW/machine.txt"
echo "rounds=$ROUNDS runs=$RUNS parallel=$PAR_N" >>"$BENCH_RAW/machine.txt"

echo "bench: $ROUNDS round(s), $RUNS runs each, parallel $PAR_N; work dir $WORK" >&2
latency_setup
for r in $(seq "$ROUNDS"); do
  latency_round "$r"
  rss_round
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_RAW/machine.txt"

python3 "$BENCH_DIR/report.py" --raw "$BENCH_RAW" --md "$OUT/latest.md" --svg "$OUT/latest.svg"
cp "$BENCH_RAW/summary.json" "$OUT/latest.json"
echo "bench: wrote $OUT/latest.md, latest.svg and latest.json" >&2
