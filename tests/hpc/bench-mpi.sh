#!/usr/bin/env bash
# bench-mpi.sh [--runs N] [--np N]...: per-rank overhead of running MPI ranks in containers.
# Each round runs the same Open MPI job (ring program, localhost) three ways, interleaved so load
# changes hit all alike: bare `mpirun -np N ./ring`, `mpirun -np N rdmarun launch -b B -- ./ring`,
# and `mpirun -np N runc-rank.sh B ./ring` (plain runc behind the wrapper sites write today).
# Prints a markdown table of medians (ms) and the overhead against bare per job and per rank.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=15 nps=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --np) nps+=("$2"); shift 2 ;;
    *) echo "bench-mpi: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#nps[@]} -gt 0 ] || nps=(1 4)
[ "$(id -u)" = 0 ] || { echo "bench-mpi: run as root (runc and rdmarun as root)" >&2; exit 2; }
for t in mpirun mpicc runc jq; do command -v $t >/dev/null || { echo "bench-mpi: $t missing" >&2; exit 2; }; done
bin=$(realpath "${RDMARUN_BIN:-$repo/out/rdmarun}")
work=$(mktemp -d /tmp/rdmarun-bench-mpi.XXXXXX)
# Warm-launch templates hold a mount namespace and cgroups: drop them before removing $work.
trap '"$work/bin/rdmarun" --root "$work/state" launch --drop-templates 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" && cp "$bin" "$work/bin/rdmarun" && export PATH=$work/bin:$PATH
mpicc -O2 -o "$work/ring" "$here/mpi/ring.c"
"$here/mpi/make-host-bundle.sh" "$work/bundle" >/dev/null
cd "$work"
mpi=(mpirun --allow-run-as-root --oversubscribe --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {printf "%d\n", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
run_one() { # variant np -> prints ms
  local t0 t1
  t0=$(now)
  case $1 in
    bare) "${mpi[@]}" -np "$2" ./ring >/dev/null ;;
    rdmarun) "${mpi[@]}" -np "$2" rdmarun --root "$work/state" launch -b "$work/bundle" -- ./ring >/dev/null ;;
    runc) RUNC_RANK_ROOT=$work/runc "${mpi[@]}" -x RUNC_RANK_ROOT -np "$2" "$here/mpi/runc-rank.sh" "$work/bundle" ./ring >/dev/null ;;
  esac || { echo "bench-mpi: $1 -np $2 failed" >&2; exit 1; }
  t1=$(now); echo $(( (t1 - t0) / 1000000 ))
}
echo "| ranks | bare mpirun | rdmarun launch | runc wrapper | overhead rdmarun (job / per rank) | overhead runc (job / per rank) |"
echo "|---|---|---|---|---|---|"
for np in "${nps[@]}"; do
  for v in bare rdmarun runc; do run_one $v "$np" >/dev/null; done # warm caches
  : >bare.t; : >rdmarun.t; : >runc.t
  for _ in $(seq "$runs"); do for v in bare rdmarun runc; do run_one $v "$np" >>$v.t; done; done
  b=$(median <bare.t) r=$(median <rdmarun.t) c=$(median <runc.t)
  echo "| $np | $b ms | $r ms | $c ms | $((r - b)) ms / $(( (r - b) / np )) ms | $((c - b)) ms / $(( (c - b) / np )) ms |"
done
echo
echo "Medians of $runs interleaved runs per variant, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)."
