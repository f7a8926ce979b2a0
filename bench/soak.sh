#!/usr/bin/env bash
# Soak benchmark (not CI): N `rdmarun run` cycles of a busybox `true` container, sampling the host
# every N/20 cycles: open files system-wide (/proc/sys/fs/file-nr), host mounts, cgroup dirs left by
# the soak, state dirs in the runtime --root, zombies, MemAvailable and Slab. Prints a table and the
# growth first → last sample; exits 1 if state dirs, cgroups, mounts or zombies grew.
#   bench/soak.sh [N]           default N=10000; binary: RDMARUN_BIN or out/rdmarun
#   SOAK_OUT=file.csv           where the samples go (default out/soak.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
bin=${RDMARUN_BIN:-$PWD/out/rdmarun}
out=${SOAK_OUT:-$PWD/out/soak.csv}
work=$(mktemp -d /tmp/rdmarun-soak-XXXXXX)
root=$work/root
mkdir -p "$root"
trap 'for d in "$root"/*; do [ -d "$d" ] && "$bin" --root "$root" delete --force "$(basename "$d")" >/dev/null 2>&1; done; rm -rf "$work"' EXIT
scripts/make-bundle.sh "$work/bundle" >/dev/null
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c["process"]["args"] = ["true"]; c["process"]["terminal"] = False
json.dump(c, open(p, "w"))
PY

sample() { # cycle
  set +o pipefail # find may meet unreadable cgroup dirs: count what it finds
  local files mounts cgroups states zombies avail slab
  files=$(cut -f1 /proc/sys/fs/file-nr)
  mounts=$(wc -l < /proc/self/mountinfo)
  cgroups=$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'soak-*' 2>/dev/null | wc -l)
  states=$(find "$root" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  zombies=$(ps -eo stat,comm | awk '$1 ~ /^Z/ && $2 ~ /rdmarun/' | wc -l)
  avail=$(awk '/^MemAvailable/ {print $2}' /proc/meminfo)
  slab=$(awk '/^Slab/ {print $2}' /proc/meminfo)
  echo "$1,$files,$mounts,$cgroups,$states,$zombies,$avail,$slab"
}

echo "cycle,open_files,mounts,soak_cgroups,state_dirs,rdmarun_zombies,mem_available_kb,slab_kb" > "$out"
every=$(( n / 20 > 0 ? n / 20 : 1 ))
sample 0 >> "$out"
failures=0
t0=$(date +%s)
for i in $(seq 1 "$n"); do
  if ! (cd "$work/bundle" && "$bin" --root "$root" run "soak-$i" >/dev/null 2>"$work/err"); then
    failures=$((failures + 1)); echo "cycle $i failed: $(head -c 300 "$work/err")" >&2
    "$bin" --root "$root" delete --force "soak-$i" >/dev/null 2>&1 || true
  fi
  [ $((i % every)) -eq 0 ] && sample "$i" >> "$out"
done
secs=$(( $(date +%s) - t0 ))
column -s, -t < "$out"
python3 - "$out" "$n" "$secs" "$failures" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first, last = rows[0], rows[-1]
print(f"\n{sys.argv[2]} cycles in {sys.argv[3]} s ({int(sys.argv[2]) / max(1, int(sys.argv[3])):.1f}/s), {sys.argv[4]} failed")
bad = False
for k in first:
    if k == "cycle": continue
    d = int(last[k]) - int(first[k])
    print(f"  {k:18} {first[k]:>10} -> {last[k]:>10}  ({d:+d})")
    if k in ("mounts", "soak_cgroups", "state_dirs", "rdmarun_zombies") and d > 0: bad = True
print("growth: " + ("YES (see above)" if bad else "none in state dirs, cgroups, mounts, zombies"))
sys.exit(1 if bad else 0)
PY
