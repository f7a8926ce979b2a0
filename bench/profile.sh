#!/usr/bin/env bash
# profile.sh [RUNS]: where rdmarun's `run` of /bin/true spends its time; writes bench/results/profile.txt.
#   1. perf stat over RUNS runs of each runtime: CPU time of all processes (load-independent, unlike wall time),
#      page faults, context switches.
#   2. strace -f -tt of one rdmarun run, cut into phases (lib/phases.py).
#   3. strace -f -c of one rdmarun run: syscall counts and kernel time.
#   4. perf record of RUNS rdmarun runs: the hottest user-space and kernel symbols.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH_DIR")
RUNS=${1:-20}
export RDMARUN=${RDMARUN:-$REPO/out/rdmarun} BENCH_LIB=$BENCH_DIR/lib CRUN_MODE=nsenter
WORK=$(mktemp -d /tmp/rdmarun-profile.XXXXXX)
export BENCH_STATE=$WORK/state CRUN_NS=$WORK/ns/mnt
source "$BENCH_LIB/runtimes.sh"
trap '"$BENCH_LIB/crun_ns.sh" down "$WORK/ns"; rm -rf "$WORK"' EXIT
"$BENCH_LIB/crun_ns.sh" up "$WORK/ns"
cp "$RDMARUN" "$WORK/rdmarun" # a snapshot: out/rdmarun may be rebuilt meanwhile
# The binary is stripped; its .gnu_debuglink names rdmarun.dbg, which perf looks for next to the binary.
[ ! -f "${RDMARUN%/*}/rdmarun.dbg" ] || cp "${RDMARUN%/*}/rdmarun.dbg" "$WORK/rdmarun.dbg"
RDMARUN=$WORK/rdmarun
"$BENCH_LIB/bundle.sh" "$WORK/true" /bin/true
out=$BENCH_DIR/results/profile.txt
mkdir -p "$(dirname "$out")"

{
  echo "# rdmarun profile, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## 1. perf stat: \`run\` /bin/true, $RUNS runs each (all processes of the run: runtime, init stages, /bin/true)"
  for rt in "${BENCH_RUNTIMES[@]}"; do
    read -ra c <<<"$(rt_cmd "$rt")"
    echo "### $rt"
    perf stat -r "$RUNS" -e task-clock,page-faults,context-switches,cpu-migrations \
      "${c[@]}" run --bundle "$WORK/true" "prof-$rt" 2>&1 >/dev/null | sed -n '/Performance counter/,$p' | sed '/^$/d'
  done
  read -ra c <<<"$(rt_cmd crun)"
  echo "### nsenter alone (crun's namespace entry, included in crun's numbers above)"
  CRUN=/bin/true
  read -ra c <<<"$(rt_cmd crun)"
  perf stat -r "$RUNS" -e task-clock,page-faults "${c[@]}" 2>&1 >/dev/null | sed -n '/Performance counter/,$p' | sed '/^$/d'
  unset CRUN
  echo
  echo "### user vs kernel CPU per run (GNU time %U/%S over $RUNS runs: the command and every process it reaped)"
  for rt in "${BENCH_RUNTIMES[@]}"; do
    read -ra c <<<"$(rt_cmd "$rt")"
    for _ in $(seq "$RUNS"); do
      /usr/bin/time -f '%U %S' -a -o "$WORK/cpu.$rt" "${c[@]}" run --bundle "$WORK/true" "prof-$rt" >/dev/null
    done
    awk -v rt="$rt" -v n="$RUNS" '{u+=$1; s+=$2} END {printf "%-8s user %.1f ms  sys %.1f ms  per run\n", rt, 1000*u/n, 1000*s/n}' "$WORK/cpu.$rt"
  done
  echo
  echo "## 2. phases of one rdmarun \`run\` (strace -f -tt; strace slows syscalls, compare phases, not totals)"
  strace -f -tt -s 120 -o "$WORK/trace" "$RDMARUN" --root "$BENCH_STATE/rdmarun" run --bundle "$WORK/true" prof-trace >/dev/null
  python3 "$BENCH_LIB/phases.py" "$WORK/trace"
  echo
  echo "## 3. syscalls of one rdmarun \`run\` (strace -f -c, top 25 by kernel time)"
  strace -f -c -S time -o "$WORK/count" "$RDMARUN" --root "$BENCH_STATE/rdmarun" run --bundle "$WORK/true" prof-count >/dev/null
  head -n 27 "$WORK/count"
  echo
  echo "## 4. perf record: $RUNS rdmarun runs, hottest symbols (all processes)"
  (cd "$WORK" && perf record -q -e cpu-clock -F 10000 -g -o "$WORK/perf.data" -- \
    bash -c "for i in \$(seq $RUNS); do $RDMARUN --root $BENCH_STATE/rdmarun run --bundle $WORK/true prof-rec >/dev/null; done" 2>/dev/null)
  # (|| true: head closing the pipe early is not a failure)
  perf report -i "$WORK/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep -v '^#' | grep '%' | head -n 15 || true
  echo
  perf report -i "$WORK/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep '%' | head -n 30 || true
} | tee "$out"
echo "profile: wrote $out" >&2
