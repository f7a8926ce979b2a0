#!/usr/bin/env bash
# parallel.sh RUNTIME N: `run` of /bin/true in N containers at once (xargs -P N); fails if any container failed.
set -euo pipefail
source "$(dirname "$0")/runtimes.sh"
rt=$1 n=$2
read -ra cmd <<<"$(rt_cmd "$rt")"
seq "$n" | xargs -P "$n" -I{} "${cmd[@]}" run --bundle "$BENCH_BUNDLE" "$rt-par-{}"
