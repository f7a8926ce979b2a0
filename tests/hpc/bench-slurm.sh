#!/usr/bin/env bash
# bench-slurm.sh [--runs N] [--user root|NAME]...: per-step overhead of `srun --container` against a
# bare `srun`, inside one allocation (so scheduling is not measured), for runc and rdmarun.
# One lab per runtime; hyperfine interleaves nothing, so the bare srun is measured in each lab again.
# Prints a markdown table (median and mean ± stddev in ms, overhead = container median - bare median).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=20 users=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --user) users+=("$2"); shift 2 ;;
    *) echo "bench-slurm: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#users[@]} -gt 0 ] || users=(root)
command -v hyperfine >/dev/null || { echo "bench-slurm: hyperfine not found (apt-get install hyperfine)" >&2; exit 2; }

bundles=$(mktemp -d /tmp/slurm-bundles.XXXXXX)
results=$(mktemp -d /tmp/slurm-bench.XXXXXX)
trap 'rm -rf "$bundles" "$results"' EXIT
chmod 755 "$bundles"; chmod 1777 "$results" # job users write their hyperfine JSON there
for u in "${users[@]}"; do
  if [ "$u" = root ]; then RDMARUN_BIN=$(command -v runc) "$repo/scripts/make-bundle.sh" "$bundles/root" true >/dev/null
  else RDMARUN_BIN=$(command -v runc) "$here/make-rootless-bundle.sh" "$bundles/$u" "$u" true >/dev/null; fi
done

for r in runc rdmarun; do
  for u in "${users[@]}"; do
    # salloc holds one allocation; every srun inside it is one step (bare, then --container).
    inner="cd $results && hyperfine -N --runs $runs --warmup 2 --export-json $results/$r-$u.json \
      -n bare 'srun -n1 true' -n container 'srun -n1 --container=$bundles/$u true' >/dev/null"
    if [ "$u" = root ]; then cmd=(salloc -n1 -Q sh -c "$inner")
    else cmd=(runuser -u "$u" -- env SLURM_CONF=@CONF@ salloc -n1 -Q sh -c "$inner"); fi
    "$here/slurm-lab.sh" --runtime "$r" -- bash -c 'c=("$@"); c=("${c[@]//@CONF@/$SLURM_CONF}"); "${c[@]}"' _ "${cmd[@]}" \
      || echo "bench-slurm: $r as $u failed" >&2
  done
done

echo "| runtime | job user | bare srun median (ms) | srun --container median (ms) | mean ± sd (ms) | overhead per step (ms) |"
echo "|---|---|---|---|---|---|"
for r in runc rdmarun; do
  for u in "${users[@]}"; do
    f=$results/$r-$u.json
    [ -s "$f" ] || { echo "| $r | $u | failed | | | |"; continue; }
    jq -r --arg r "$r" --arg u "$u" '
      (.results[] | select(.command == "bare") | .median * 1000) as $b
      | (.results[] | select(.command == "container")) as $c
      | "| \($r) | \($u) | \($b | round) | \($c.median * 1000 | round) | \($c.mean * 1000 | round) ± \($c.stddev * 1000 | round) | \(($c.median * 1000 - $b) | round) |"' "$f"
  done
done
echo
echo "$runs steps each, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
