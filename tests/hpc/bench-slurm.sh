#!/usr/bin/env bash
# bench-slurm.sh [--runs N] [--user root|NAME]...: per-step overhead of `srun --container` against a
# bare `srun /bin/true`, for runc and rdmarun, and for a "null runtime" (slurm/oci.conf.null: no
# container, so it measures Slurm's own --container work), inside one allocation (scheduling is not measured).
# slurmstepd reads oci.conf at every step, so one lab serves both runtimes: each round runs a bare
# step, a runc step and an rdmarun step in turn (interleaved, so load changes hit all three alike),
# rewriting oci.conf before each container step. Prints a markdown table of medians in ms.
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
rdmarun=$(realpath "${RDMARUN_BIN:-$repo/out/rdmarun}")
[ -x "$rdmarun" ] || { echo "bench-slurm: $rdmarun missing (scripts/build.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/slurm-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 1777 "$work" # job users write their timings here
for u in "${users[@]}"; do
  # As run-slurm.sh: a job user that does not exist yet is created (a fresh machine has none).
  [ "$u" = root ] || id "$u" >/dev/null 2>&1 || useradd -m "$u" || { echo "bench-slurm: cannot create user $u" >&2; exit 2; }
  if [ "$u" = root ]; then RDMARUN_BIN=$(command -v runc) "$repo/scripts/make-bundle.sh" "$work/b-root" true >/dev/null
  else RDMARUN_BIN=$(command -v runc) "$here/make-rootless-bundle.sh" "$work/b-$u" "$u" true >/dev/null; fi
done

# Runs inside the allocation as the job user: N rounds of bare, runc, rdmarun; one "variant ms" line each.
cat > "$work/rounds.sh" <<'EOF'
#!/usr/bin/env bash
runs=$1 bundle=$2 out=$3 conf=$4
step() { # variant, srun args...
  local v=$1 t0 t1; shift
  [ "$v" = bare ] || cat "$conf.$v" > "$conf"
  t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || echo "failed $v" >> "$out"; t1=$EPOCHREALTIME
  echo "$v $(( (${t1/./} - ${t0/./}) / 1000 ))" >> "$out"
}
for v in bare null runc rdmarun; do step "$v" srun -n1 true; done # warm-up, not recorded
: > "$out"
for i in $(seq 1 "$runs"); do
  step bare srun -n1 true
  step null srun -n1 --container="$bundle" true
  step runc srun -n1 --container="$bundle" true
  step rdmarun srun -n1 --container="$bundle" true
done
EOF
chmod 755 "$work/rounds.sh"

# In the lab: an oci.conf per runtime next to the live one, writable by the job users.
cat > "$work/in-lab.sh" <<EOF
#!/usr/bin/env bash
for r in runc rdmarun; do
  bin=\$(command -v runc); [ "\$r" = rdmarun ] && bin=$rdmarun
  # Separate state roots: neither runtime has to read the other's state directories.
  mkdir -p "\$SLURM_LAB/rt-\$r"; chmod 1777 "\$SLURM_LAB/rt-\$r"
  sed -e "s|@RUNTIME@|\$bin|g" -e "s|@STATE@|\$SLURM_LAB/rt-\$r|g" "$here/slurm/oci.conf.\$r" > "\$SLURM_CONF.oci.\$r"
done
conf=\$(dirname "\$SLURM_CONF")/oci.conf
sed -e "s|@RUNTIME@|/bin/false|g" "$here/slurm/oci.conf.null" > "\$SLURM_CONF.oci.null"
for r in null runc rdmarun; do mv "\$SLURM_CONF.oci.\$r" "\$conf.\$r"; done
chmod 666 "\$conf" "\$conf".*
for u in ${users[*]}; do
  cmd=(salloc -n1 -Q "$work/rounds.sh" "$runs" "$work/b-\$u" "$work/times-\$u" "\$conf")
  if [ "\$u" = root ]; then "\${cmd[@]}"; else runuser -u "\$u" -- env SLURM_CONF="\$SLURM_CONF" "\${cmd[@]}"; fi
done
# rdmarun's run templates (--warm-run): nothing may outlive the lab.
for r in "\$SLURM_LAB"/rt-rdmarun/*/; do [ -d "\$r" ] && $rdmarun --root "\$r" launch --drop-templates; done
EOF
chmod 755 "$work/in-lab.sh"
"$here/slurm-lab.sh" --runtime runc -- "$work/in-lab.sh" || echo "bench-slurm: lab run failed" >&2

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
echo "| job user | bare srun | null runtime | runc | rdmarun | Slurm's own (null - bare) | runc - null | rdmarun - null |"
echo "|---|---|---|---|---|---|---|---|"
for u in "${users[@]}"; do
  f=$work/times-$u
  [ -s "$f" ] || { echo "| $u | failed | | | | | | |"; continue; }
  b=$(awk '$1=="bare"{print $2}' "$f" | median)
  n=$(awk '$1=="null"{print $2}' "$f" | median)
  c=$(awk '$1=="runc"{print $2}' "$f" | median)
  d=$(awk '$1=="rdmarun"{print $2}' "$f" | median)
  echo "| $u | $b ms | $n ms | $c ms | $d ms | $((n-b)) ms | $((c-n)) ms | $((d-n)) ms |"
  grep '^failed' "$f" | sort | uniq -c | sed 's/^/  /' >&2
done
echo
echo "Medians of $runs interleaved steps each (srun -n1 true inside one salloc), load average" \
     "$(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)."
