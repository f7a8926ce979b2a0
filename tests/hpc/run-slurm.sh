#!/usr/bin/env bash
# run-slurm.sh [--runtime runc|rdmarun|all] [--user root|NAME|all] [--case NAME]...
# The Slurm `--container` suite: for each runtime, one lab (slurm-lab.sh) and the cases of
# slurm-cases.sh as root and as an unprivileged job user (SLURM_TEST_USER, default slurmtest, created
# when missing). Prints PASS/FAIL/SKIP lines and, last, "N passed, N failed, N skipped".
# Needs root, slurm-wlm, munge, runc, jq, busybox-static; rdmarun from out/rdmarun (scripts/build.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtimes=(runc rdmarun) users=(root "${SLURM_TEST_USER:-slurmtest}") cases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) [ "$2" = all ] || runtimes=("$2"); shift 2 ;;
    --user) [ "$2" = all ] || users=("$2"); shift 2 ;;
    --case) cases+=("$2"); shift 2 ;;
    *) echo "run-slurm: unknown argument $1" >&2; exit 2 ;;
  esac
done
all_cases=(srun_exit_stdout srun_job_env srun_stdin sbatch_output scancel_running scancel_srun_step runtime_killed rdma_request_reaches_runtime warm_steps two_tasks_refused)
[ ${#cases[@]} -gt 0 ] || cases=("${all_cases[@]}")
passed=0 failed=0 skipped=0
skip_all() { # runtime why
  local u c
  for u in "${users[@]}"; do for c in "${cases[@]}"; do echo "SKIP $1/$u/$c: $2"; skipped=$((skipped+1)); done; done
}

if [ "$(id -u)" != 0 ]; then
  for r in "${runtimes[@]}"; do skip_all "$r" "needs root"; done
  echo "$passed passed, $failed failed, $skipped skipped"; exit 0
fi
missing=""
for b in munged slurmctld slurmd srun runc jq busybox; do command -v "$b" >/dev/null || missing+=" $b"; done
if [ -n "$missing" ]; then
  for r in "${runtimes[@]}"; do skip_all "$r" "missing:$missing"; done
  echo "$passed passed, $failed failed, $skipped skipped"; exit 0
fi
for u in "${users[@]}"; do
  [ "$u" = root ] || id "$u" >/dev/null 2>&1 || useradd -m "$u" || { echo "run-slurm: cannot create user $u" >&2; exit 2; }
done

# Bundles once for all runtimes: `spec` of runc (always present) keeps them runtime-neutral.
bundles=$(mktemp -d /tmp/slurm-bundles.XXXXXX)
trap 'rm -rf "$bundles"' EXIT
chmod 755 "$bundles"
for u in "${users[@]}"; do
  if [ "$u" = root ]; then RDMARUN_BIN=$(command -v runc) "$repo/scripts/make-bundle.sh" "$bundles/root" >/dev/null
  else RDMARUN_BIN=$(command -v runc) "$here/make-rootless-bundle.sh" "$bundles/$u" "$u" >/dev/null; fi \
    || { echo "run-slurm: cannot build the bundle for $u" >&2; exit 2; }
done

for r in "${runtimes[@]}"; do
  if [ "$r" = rdmarun ]; then
    [ -x "${RDMARUN_BIN:-$repo/out/rdmarun}" ] || { skip_all "$r" "out/rdmarun missing (scripts/build.sh)"; continue; }
    # A snapshot: out/rdmarun may be rebuilt while the suite runs.
    install -m 755 "${RDMARUN_BIN:-$repo/out/rdmarun}" "$bundles/rdmarun"
    export RDMARUN_BIN=$bundles/rdmarun
  fi
  log=$(mktemp)
  SLURM_CASES_BUNDLES=$bundles SLURM_CASES="${cases[*]}" \
    timeout $(( ${#users[@]} * ${#cases[@]} * 100 + 120 )) \
    "$here/slurm-lab.sh" --runtime "$r" -- "$here/slurm-cases.sh" "$r" "${users[@]}" >"$log" 2>&1
  lab_rc=$?
  grep -E '^(PASS|FAIL|SKIP) ' "$log"
  p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log"); k=$(grep -c '^SKIP ' "$log")
  passed=$((passed+p)); failed=$((failed+f)); skipped=$((skipped+k))
  want=$(( ${#users[@]} * ${#cases[@]} ))
  if [ $((p+f+k)) -lt "$want" ]; then
    echo "FAIL $r/lab: $((want-p-f-k)) cases did not run (lab exit $lab_rc): $(grep -vE '^(PASS|FAIL|SKIP) ' "$log" | tail -n 5 | tr '\n' ' ')"
    failed=$((failed + want - p - f - k))
  fi
  rm -f "$log"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
