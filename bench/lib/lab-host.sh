#!/usr/bin/env bash
# lab-host.sh ROUNDS RUNS OUT: the `run` /bin/true comparison inside the kernel lab (cgroup v2, crun native).
# Boots the lab once; lab-guest.sh measures inside and leaves hyperfine JSON in the share; the report is made here.
set -euo pipefail
rounds=$1 runs=$2 out=$3
lib=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$lib")")
# The share must not be under /tmp or /run: the guest gets fresh tmpfs there.
share=$(mktemp -d /var/tmp/rdmarun-bench-lab.XXXXXX)
trap 'rm -rf "$share"' EXIT
# The guest reads files over 9p and may see a half-rebuilt out/rdmarun (seen: `rdmarun spec` segfaulted);
# it runs a snapshot copied into the share, and builds the bundle from the host-made config.
cp "$RDMARUN" "$share/rdmarun"
"$lib/bundle.sh" "$share/bundle" /bin/true
"$repo/tests/kernel-lab/lab.sh" run --timeout 1200 --share "$share" \
  --env "RDMARUN=$share/rdmarun" --env "BENCH_ROUNDS=$rounds" --env "BENCH_RUNS=$runs" -- "$lib/lab-guest.sh"
# Keep the raw data (not committed) even when the report fails: a lab run takes minutes.
rm -rf "$out/raw-lab" && cp -r "$share/raw" "$out/raw-lab"
python3 "$(dirname "$lib")/report.py" --lab --raw "$share/raw" --md "$out/lab-latest.md" --svg "$out/lab-latest.svg"
cp "$share/raw/summary.json" "$out/lab-latest.json"
echo "bench: wrote $out/lab-latest.md, lab-latest.svg and lab-latest.json" >&2
