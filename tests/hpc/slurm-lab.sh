#!/usr/bin/env bash
# slurm-lab.sh [--runtime runc|rdmarun|none] [--oci-conf TEMPLATE] [--proctrack linuxproc|cgroup]
#              [--trace] [--keep] [--] [CMD ARGS...]
# Starts munged, slurmctld and slurmd (Debian's Slurm 22.05) on localhost with private configuration
# and state under one temp dir, runs CMD with SLURM_CONF pointing there (default: sinfo), then stops
# everything: jobs, slurmstepd, containers left in the lab's runtime roots, daemons, the temp dir.
# CMD sees: SLURM_CONF, SLURM_LAB (the temp dir), SLURM_LAB_RUNTIME (the runtime binary),
# SLURM_LAB_STATE (per-user runtime roots: $SLURM_LAB_STATE/<user>), SLURM_LAB_NODE.
# --trace: the RunTime* commands go through slurm/trace-runtime.sh, which appends uid, cwd, argv and
# environment of every call to $SLURM_LAB/trace.log. --keep: leave the temp dir (logs) for reading.
# --oci-conf: another oci.conf template (default slurm/oci.conf.RUNTIME), e.g. slurm/oci.conf.runc-create.
# --proctrack cgroup: proctrack/cgroup (cgroup/v1 plugin) instead of linuxproc; the lab then removes
# the /sys/fs/cgroup/*/slurm{,_NODE} trees Slurm made (it refuses to start when one already exists).
# SLURM_LAB_PROCTRACK sets the default (run-slurm.sh passes it through).
# Exit status: CMD's; 2 when the lab itself could not start.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime=runc trace=0 keep=0 oci_template="" proctrack=${SLURM_LAB_PROCTRACK:-linuxproc}
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime=$2; shift 2 ;;
    --oci-conf) oci_template=$(realpath "$2"); shift 2 ;;
    --proctrack) proctrack=$2; shift 2 ;;
    --trace) trace=1; shift ;;
    --keep) keep=1; shift ;;
    --) shift; break ;;
    -*) echo "slurm-lab: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 0 ] && set -- sinfo

for b in munged slurmctld slurmd slurmstepd srun; do
  command -v "$b" >/dev/null || { echo "slurm-lab: $b not found (apt-get install slurm-wlm munge)" >&2; exit 2; }
done
case "$runtime" in
  runc) runtime_bin=$(command -v runc) || { echo "slurm-lab: runc not found" >&2; exit 2; } ;;
  rdmarun) runtime_bin=${RDMARUN_BIN:-$repo/out/rdmarun}
    [ -x "$runtime_bin" ] || { echo "slurm-lab: $runtime_bin missing (run scripts/build.sh)" >&2; exit 2; } ;;
  none) runtime_bin="" ;;
  *) echo "slurm-lab: unknown runtime $runtime" >&2; exit 2 ;;
esac
runtime_bin=${runtime_bin:+$(realpath "$runtime_bin")}

lab=$(mktemp -d /tmp/slurm-lab.XXXXXX)
# Job users must reach the spool (Slurm writes the bundle there) and their state root.
chmod 755 "$lab"
mkdir -p "$lab"/{munge,state,spool,run,log,rt}
chmod 700 "$lab/state" "$lab/munge"
chmod 755 "$lab/spool" "$lab/munge"
# One runtime root per user, created by the user's own runtime call (sticky, like /tmp).
chmod 1777 "$lab/rt"
: > "$lab/plugstack.conf"

pids=()
stop_lab() {
  local rc=$?
  trap - EXIT INT TERM
  export SLURM_CONF="$lab/slurm.conf"
  if [ -n "${ctld_pid:-}" ] && kill -0 "$ctld_pid" 2>/dev/null; then
    scancel --full --quiet --partition=lab 2>/dev/null
    scancel --quiet --partition=lab 2>/dev/null
    for _ in $(seq 1 40); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.25; done
  fi
  # slurmstepd daemonizes away from slurmd; ours carry this lab's SLURM_CONF in their environment.
  for _ in $(seq 1 40); do [ -z "$(lab_stepds)" ] && break; sleep 0.25; done
  for p in $(lab_stepds); do kill -KILL "$p" 2>/dev/null; done
  # Containers a killed step left behind, in every user's root.
  if [ -n "$runtime_bin" ]; then
    for r in "$lab"/rt/*/; do
      [ -d "$r" ] || continue
      for id in $("$runtime_bin" --root "$r" list -q 2>/dev/null); do
        echo "slurm-lab: removing leftover container $id ($r)" >&2
        "$runtime_bin" --root "$r" delete --force "$id" >/dev/null 2>&1
      done
      # rdmarun's run templates (--warm-run in its oci.conf): their guards, cgroups and mount namespaces.
      case "$(basename "$runtime_bin")" in
        rdmarun*) "$runtime_bin" --root "$r" launch --drop-templates >/dev/null 2>&1 ;;
      esac
    done
  fi
  local i
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  # proctrack/cgroup's hierarchy: Slurm leaves the slurm/ directories (empty by now) behind.
  if [ "$proctrack" = cgroup ]; then
    find /sys/fs/cgroup/*/slurm /sys/fs/cgroup/*/"slurm_$node" -depth -type d -exec rmdir {} + 2>/dev/null
    ls -d /sys/fs/cgroup/*/slurm /sys/fs/cgroup/*/"slurm_$node" 2>/dev/null | sed 's/^/slurm-lab: cgroup left: /' >&2
  fi
  if [ "$keep" = 1 ]; then echo "slurm-lab: kept $lab" >&2; else rm -rf "$lab"; fi
  exit "$rc"
}
lab_stepds() {
  local p
  for p in $(pgrep -x slurmstepd); do
    tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -qx "SLURM_CONF=$lab/slurm.conf" && echo "$p"
  done
}
trap stop_lab EXIT
trap 'exit 130' INT TERM

free_port() { # a port nobody listens on, from a range unlikely to be used by others
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}
node=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024/2)}' /proc/meminfo)
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$slurmd_port" = "$ctld_port" ] && slurmd_port=$((ctld_port + 1))
sed -e "s|@DIR@|$lab|g" -e "s|@NODE@|$node|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEM@|$mem|g" \
    -e "s|@CTLD_PORT@|$ctld_port|g" -e "s|@SLURMD_PORT@|$slurmd_port|g" \
    -e "s|@FIRST_JOB_ID@|$((1000 + RANDOM % 50000))|g" \
    "$here/slurm/slurm.conf.in" > "$lab/slurm.conf"

case "$proctrack" in
  linuxproc) ;;
  cgroup)
    # Only one lab at a time can own /sys/fs/cgroup/*/slurm, and teardown removes it.
    if ls -d /sys/fs/cgroup/*/slurm /sys/fs/cgroup/*/"slurm_$node" >/dev/null 2>&1; then
      echo "slurm-lab: /sys/fs/cgroup/*/slurm exists (another Slurm?); not using proctrack/cgroup" >&2
      proctrack=linuxproc; exit 2
    fi
    sed -i 's|^ProctrackType=.*|ProctrackType=proctrack/cgroup|' "$lab/slurm.conf"
    printf '%s\n' CgroupPlugin=cgroup/v1 CgroupMountpoint=/sys/fs/cgroup ConstrainCores=no \
      ConstrainRAMSpace=no ConstrainDevices=no > "$lab/cgroup.conf" ;;
  *) echo "slurm-lab: unknown proctrack $proctrack" >&2; exit 2 ;;
esac

if [ -n "$runtime_bin" ]; then
  call=$runtime_bin
  if [ "$trace" = 1 ]; then
    # The tracer is copied into the lab so a job user can run it whatever the repo's permissions.
    install -m 755 "$here/slurm/trace-runtime.sh" "$lab/trace-runtime.sh"
    : > "$lab/trace.log"; chmod 666 "$lab/trace.log"
    call="$lab/trace-runtime.sh $lab/trace.log $runtime_bin"
  fi
  # oci.conf must sit next to slurm.conf: slurmstepd looks for it in slurm.conf's directory.
  sed -e "s|@RUNTIME@|$call|g" -e "s|@STATE@|$lab/rt|g" "${oci_template:-$here/slurm/oci.conf.$runtime}" > "$lab/oci.conf"
fi
export SLURM_CONF="$lab/slurm.conf"

# munge: a fresh key only this lab's munged knows.
dd if=/dev/urandom of="$lab/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$lab/munge/munge.key"
munged -F --force --key-file="$lab/munge/munge.key" --socket="$lab/munge/munge.socket" \
  --pid-file="$lab/run/munged.pid" --log-file="$lab/log/munged.log" --seed-file="$lab/munge/seed" \
  >"$lab/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 40); do [ -S "$lab/munge/munge.socket" ] && break; sleep 0.25; done
[ -S "$lab/munge/munge.socket" ] || { echo "slurm-lab: munged did not start:" >&2; cat "$lab/log/munged."* >&2; exit 2; }

slurmctld -D -i >"$lab/log/slurmctld.out" 2>&1 &
ctld_pid=$!; pids+=($ctld_pid)
# slurmstepd 22.05 can segfault in stepd_cleanup after a container step (seen once in this suite, 2026-12-05);
# no core file may land in the job's working directory (a checkout).
(ulimit -c 0; exec slurmd -D) >"$lab/log/slurmd.out" 2>&1 &
pids+=($!)

up=0
for _ in $(seq 1 120); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null)
  case "$state" in idle*|alloc*|mix*) up=1; break ;; esac
  sleep 0.25
done
if [ "$up" != 1 ]; then
  echo "slurm-lab: node $node not idle (state '${state:-none}'); logs:" >&2
  tail -n 20 "$lab"/log/*.log "$lab"/log/*.out >&2
  exit 2
fi

export SLURM_LAB="$lab" SLURM_LAB_RUNTIME="$runtime_bin" SLURM_LAB_STATE="$lab/rt" SLURM_LAB_NODE="$node"
"$@"
