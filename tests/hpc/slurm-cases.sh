#!/usr/bin/env bash
# slurm-cases.sh RUNTIME USER...: the `--container` cases, run inside a lab started by slurm-lab.sh
# (SLURM_CONF, SLURM_LAB, SLURM_LAB_RUNTIME, SLURM_LAB_STATE, SLURM_LAB_NODE set). Prints one
# "PASS|FAIL|SKIP RUNTIME/USER/CASE[: why]" line per case (a case returning 77 is skipped);
# run-slurm.sh counts them.
# Bundles come from SLURM_CASES_BUNDLES: root/ (scripts/make-bundle.sh) and <user>/ (rootless).
set -uo pipefail
runtime=$1; shift
users=("$@")
case_timeout=${SLURM_CASE_TIMEOUT:-90}
batch_step=4294967291 # SLURM_BATCH_SCRIPT as %s prints it

# Runs a command as the job user with the lab's configuration, from a directory the user can read.
as_user() {
  local u=$1; shift
  if [ "$u" = root ]; then (cd "$work" && "$@"); else (cd "$work" && runuser -u "$u" -- env SLURM_CONF="$SLURM_CONF" "$@"); fi
}
rt() { "$SLURM_LAB_RUNTIME" --root "$SLURM_LAB_STATE/$user" "$@"; }
cid() { echo "$SLURM_LAB_NODE.$user.$1.$2.0"; } # %n.%u.%j.%s.%t of oci.conf

wait_gone() { # job id: until squeue no longer lists it (30 s)
  local i
  for i in $(seq 1 120); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.25; done
  return 1
}
wait_running() { # container id: until the runtime reports it running (30 s)
  local i
  for i in $(seq 1 120); do
    rt state "$1" 2>/dev/null | grep -q '"status": *"running"' && return 0
    sleep 0.25
  done
  return 1
}
container_pid() { rt state "$1" 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
# Nothing of container $1 (init pid $2) left: not in the runtime's list, no process, no cgroup.
assert_nothing_left() {
  local id=$1 pid=$2 i
  for i in $(seq 1 40); do
    rt list -q 2>/dev/null | grep -qx "$id" || break
    sleep 0.25
  done
  rt list -q 2>/dev/null | grep -qx "$id" && { echo "container $id still listed by $runtime"; return 1; }
  if [ -n "$pid" ] && [ -e "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    echo "container init $pid still running: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"; return 1
  fi
  local cg
  cg=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "$id" 2>/dev/null | head -n 3)
  [ -n "$cg" ] && { echo "cgroup left: $cg"; return 1; }
  return 0
}

# srun --container: the command's stdout comes back unchanged, stderr separately, exit code 3 as srun's.
case_srun_exit_stdout() {
  local out err rc token=$RANDOM
  out=$(as_user "$user" timeout 60 srun --container="$bundle" sh -c "echo out-$token; echo err-$token >&2; exit 3" 2>"$work/err")
  rc=$?
  err=$(cat "$work/err")
  [ "$rc" = 3 ] || { echo "srun exit $rc, want 3; stderr: $err"; return 1; }
  [ "$out" = "out-$token" ] || { echo "stdout '$out', want 'out-$token'"; return 1; }
  grep -q "err-$token" <<<"$err" || { echo "stderr lacks err-$token: $err"; return 1; }
}

# The job's environment reaches the container process (Slurm appends it to process.env).
case_srun_job_env() {
  local out
  out=$(as_user "$user" timeout 60 srun --container="$bundle" sh -c 'echo "$SLURM_JOB_ID:$SLURM_STEP_ID:$(id -u)"' 2>&1)
  [[ "$out" =~ ^[0-9]+:0:0$ ]] || { echo "container saw '$out', want JOBID:0:0"; return 1; }
}

# sbatch --container: the batch script runs in the container, -o/-e files get its output, exit code kept.
case_sbatch_output() {
  local job token=$RANDOM
  job=$(as_user "$user" sbatch --parsable --container="$bundle" -o "$work/b.out" -e "$work/b.err" \
        --wrap "echo batch-out-$token; echo batch-err-$token >&2; exit 4") || { echo "sbatch failed: $job"; return 1; }
  wait_gone "$job" || { echo "job $job did not finish in 30 s"; return 1; }
  grep -qx "batch-out-$token" "$work/b.out" 2>/dev/null || { echo "output file: $(cat "$work/b.out" 2>&1)"; return 1; }
  grep -qx "batch-err-$token" "$work/b.err" 2>/dev/null || { echo "error file: $(cat "$work/b.err" 2>&1)"; return 1; }
  local ec
  ec=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p')
  [ -z "$ec" ] || [ "$ec" = 4:0 ] || { echo "ExitCode=$ec, want 4:0"; return 1; }
}

# scancel of a running container job leaves no container, process or cgroup.
case_scancel_running() {
  local job id pid
  job=$(as_user "$user" sbatch --parsable --container="$bundle" -o /dev/null --wrap "sleep 300") || { echo "sbatch failed"; return 1; }
  id=$(cid "$job" "$batch_step")
  wait_running "$id" || { scancel "$job"; echo "container $id never running"; return 1; }
  pid=$(container_pid "$id")
  as_user "$user" scancel "$job"
  wait_gone "$job" || { echo "job $job still queued 30 s after scancel"; return 1; }
  assert_nothing_left "$id" "$pid"
}

# The runtime's `run` process is SIGKILLed while the container runs: Slurm's RunTimeQuery/Kill/Delete
# (run as root after the step) must remove the orphaned container.
case_runtime_killed() {
  local job id pid runner
  job=$(as_user "$user" sbatch --parsable --container="$bundle" -o /dev/null --wrap "sleep 300") || { echo "sbatch failed"; return 1; }
  id=$(cid "$job" "$batch_step")
  wait_running "$id" || { scancel "$job"; echo "container $id never running"; return 1; }
  pid=$(container_pid "$id")
  local p name
  name=$(basename "$SLURM_LAB_RUNTIME" | cut -c1-15)
  runner=""
  for p in $(pgrep -f -- " run $id( |$)"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$name" ] && { runner=$p; break; }
  done
  [ -n "$runner" ] || { scancel "$job"; echo "no '$runtime run $id' process found"; return 1; }
  kill -KILL "$runner"
  wait_gone "$job" || { scancel "$job"; wait_gone "$job"; }
  assert_nothing_left "$id" "$pid"
}

# srun forwards its stdin to the container process (runtime `run` keeps the task's stdio).
case_srun_stdin() {
  local out token=$RANDOM
  out=$(printf 'line-%s\n' "$token" | as_user "$user" timeout 60 srun --container="$bundle" cat 2>"$work/err")
  [ "$out" = "line-$token" ] || { echo "container echoed '$out', want 'line-$token'; stderr: $(cat "$work/err")"; return 1; }
}

# scancel of a job whose srun step (not a batch step) runs a container: srun ends, nothing is left.
case_scancel_srun_step() {
  local job id pid i
  as_user "$user" timeout 60 srun --container="$bundle" -J "srun-step-$$" sleep 300 >/dev/null 2>&1 &
  local srun_pid=$!
  for i in $(seq 1 120); do
    job=$(squeue -h -n "srun-step-$$" -o %i 2>/dev/null | head -n 1)
    [ -n "$job" ] && break; sleep 0.25
  done
  [ -n "$job" ] || { echo "srun job never queued"; return 1; }
  id=$(cid "$job" 0)
  wait_running "$id" || { scancel "$job"; echo "container $id never running"; return 1; }
  pid=$(container_pid "$id")
  as_user "$user" scancel "$job"
  wait_gone "$job" || { echo "job $job still queued 30 s after scancel"; return 1; }
  for i in $(seq 1 80); do kill -0 "$srun_pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$srun_pid" 2>/dev/null && { echo "srun still running 20 s after scancel"; return 1; }
  assert_nothing_left "$id" "$pid"
}

# RDMA_VISIBLE_DEVICES in the job's environment reaches rdmarun through the process.env Slurm writes
# (rdmarun's own environment is slurmd's): a device this host lacks is refused, visibly, and nothing
# is left. runc ignores the variable, so the case is rdmarun's only (exit 77: skipped).
case_rdma_request_reaches_runtime() {
  [ "$runtime" = rdmarun ] || return 77
  local out rc
  out=$(as_user "$user" env RDMA_VISIBLE_DEVICES=slurmlab_missing0 timeout 60 srun --container="$bundle" \
        sh -c 'echo ran' 2>&1)
  rc=$?
  [ "$rc" != 0 ] || { echo "srun succeeded with an absent RDMA device: $out"; return 1; }
  grep -q 'ran' <<<"$out" && { echo "the container ran: $out"; return 1; }
  grep -q 'slurmlab_missing0' <<<"$out" || { echo "no refusal naming the device in srun's output: $out"; return 1; }
  [ -z "$(rt list -q 2>/dev/null)" ] || { echo "containers left: $(rt list -q)"; return 1; }
}

# rdmarun's oci.conf passes --warm-run: Slurm writes a new bundle per step with only process.args and
# process.env changed, so the second step of a job starts from the run template the first published
# (RUN_TEMPLATE.md). It must still be its own container: PID 1, its own args and job environment, its
# own cgroup under the template's (root), and nothing left after the job. As root and rootless.
case_warm_steps() {
  [ "$runtime" = rdmarun ] || return 77
  # An unprivileged template guard cannot leave the step's cgroup: proctrack/cgroup ends it with the
  # step that published it, so every rootless step takes the full path there (RUN_TEMPLATE.md).
  if [ "$user" != root ] && scontrol show config 2>/dev/null | grep -q '^ProctrackType *= *proctrack/cgroup'; then return 77; fi
  local out rc root=$SLURM_LAB_STATE/$user
  # Step 0 publishes (or finds) the template; step 1 must start from one that existed before it: it
  # marks it used (its `inuse` file's mtime, RUN_TEMPLATE.md) between the two stamps the job writes.
  out=$(as_user "$user" timeout 60 salloc -n1 -Q sh -c "
    srun --container='$bundle' sh -c 'echo first \$SLURM_STEP_ID'
    ls -d '$root'/.launch/*/ > '$work/templates-before' 2>/dev/null
    touch '$work/before'; sleep 0.05
    srun --container='$bundle' sh -c 'echo second \$SLURM_STEP_ID pid \$\$ job \$SLURM_JOB_ID; cat /proc/self/cgroup'
    sleep 0.05; touch '$work/after'" 2>&1)
  rc=$?
  [ "$rc" = 0 ] || { echo "salloc exit $rc: $out"; return 1; }
  grep -q '^first 0$' <<<"$out" || { echo "first step's output missing: $out"; return 1; }
  local line job
  line=$(grep '^second ' <<<"$out")
  job=$(awk '{print $6}' <<<"$line")
  [ "$line" = "second 1 pid 1 job $job" ] && [ -n "$job" ] || { echo "second step: '$line', want 'second 1 pid 1 job J': $out"; return 1; }
  local d used=""
  while read -r d; do
    grep -qx 'kind run' "$d/template" 2>/dev/null || continue
    [ "$d/inuse" -nt "$work/before" ] && [ "$work/after" -nt "$d/inuse" ] && used=$d
  done < "$work/templates-before"
  [ -n "$used" ] || { echo "the second step did not start from a run template published before it ($(cat "$work/templates-before" 2>/dev/null)): $out"; return 1; }
  local id
  id=$(cid "$job" 1)
  # As root the container's cgroup is a child of the template's.
  if [ "$user" = root ]; then
    grep -Eq "launch-template-[0-9a-f]{16}/$id\$" <<<"$out" || { echo "no launch-template-KEY/$id in the second step's /proc/self/cgroup: $out"; return 1; }
  fi
  assert_nothing_left "$id" ""
}

# Slurm 22.05 allows one task per node with --container: -n2 on one node is refused, nothing runs.
case_two_tasks_refused() {
  local out rc
  out=$(as_user "$user" timeout 60 srun -n2 --container="$bundle" sh -c 'echo ran' 2>&1)
  rc=$?
  [ "$rc" != 0 ] || { echo "srun -n2 succeeded: $out"; return 1; }
  grep -q '^ran$' <<<"$out" && { echo "a task ran: $out"; return 1; }
  return 0
}

cases=(srun_exit_stdout srun_job_env srun_stdin sbatch_output scancel_running scancel_srun_step runtime_killed rdma_request_reaches_runtime warm_steps two_tasks_refused)
[ -n "${SLURM_CASES:-}" ] && read -r -a cases <<<"$SLURM_CASES"
for user in "${users[@]}"; do
  if [ "$user" = root ]; then bundle=$SLURM_CASES_BUNDLES/root; else bundle=$SLURM_CASES_BUNDLES/$user; fi
  for c in "${cases[@]}"; do
    work=$(mktemp -d "$SLURM_LAB/case.XXXXXX")
    [ "$user" = root ] || chown "$user" "$work"
    chmod 755 "$work"
    export -f "case_$c" as_user rt cid wait_gone wait_running container_pid assert_nothing_left
    export runtime user bundle work batch_step
    why=$(timeout "$case_timeout" bash -c "case_$c" 2>&1)
    rc=$?
    [ "$rc" = 124 ] && why="timed out after ${case_timeout}s; $why"
    if [ "$rc" = 0 ]; then echo "PASS $runtime/$user/$c"
    elif [ "$rc" = 77 ]; then echo "SKIP $runtime/$user/$c: not applicable to $runtime"
    else echo "FAIL $runtime/$user/$c: $(tr '\n' ' ' <<<"$why" | cut -c1-400)"; fi
  done
done
