#!/usr/bin/env bash
# parallel.sh RUNTIME N: `run` of /bin/true in N containers at once (xargs -P N runs the runtime directly, so no
# per-container shell skews the comparison). A failure does not stop the benchmark: the runtimes' stderr goes
# to $BENCH_RAW/parallel-errors.log and "RUNTIME 1" to parallel-failures.tsv (the report shows both).
set -uo pipefail
source "$(dirname "$0")/runtimes.sh"
rt=$1 n=$2 raw=${BENCH_RAW:-/tmp}
read -ra cmd <<<"$(rt_cmd "$rt")"
seq "$n" | xargs -P "$n" -I{} "${cmd[@]}" run --bundle "$BENCH_BUNDLE" "$rt-par-{}" >/dev/null 2>>"$raw/parallel-errors.log"
rc=$?
[ "$rc" = 0 ] || printf '%s\t1\n' "$rt" >>"$raw/parallel-failures.tsv"
exit 0
