#!/usr/bin/env bash
# Runs every test suite in order and prints per-suite counts and a final "N passed, N failed".
#   scripts/test.sh                 all suites
#   scripts/test.sh --suite NAME    one suite: unit, integration, conformance, engines, hpc-mpi, slurm, kernel-lab
#   scripts/test.sh --no-lab        everything except the kernel lab (and the engines suite's lab part)
# Exits non-zero when any test failed or a suite could not run.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
only="" no_lab=0
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) only=$2; shift 2 ;;
    --no-lab) no_lab=1; shift ;;
    *) echo "usage: scripts/test.sh [--suite unit|integration|conformance|engines|hpc-mpi|slurm|kernel-lab] [--no-lab]" >&2; exit 2 ;;
  esac
done
source scripts/lib/deps.sh
ensure_deps test
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
logs=${RDMARUN_TEST_LOGS:-$repo/out/test-logs}
mkdir -p "$logs"

P=0 F=0 S=0
summary=()
add() { # suite passed failed skipped
  P=$((P + $2)); F=$((F + $3)); S=$((S + $4))
  summary+=("$(printf '%-28s %5d passed %5d failed %5d skipped' "$1" "$2" "$3" "$4")")
}
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# dotnet test prints "Failed!  - Failed: N, Passed: N, Skipped: N, Total: N" per assembly.
run_dotnet_test() { # name project
  local name=$1 proj=$2 log="$logs/$1.log"
  echo "== $name"
  dotnet test "$proj" --nologo -v quiet >"$log" 2>&1
  local rc=$?
  local line; line=$(grep -E "(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "   $name did not run (exit $rc); last lines of $log:"; tail -20 "$log" | sed 's/^/   /'
    add "$name" 0 1 0; return
  fi
  local f p s
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line"); p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line"); s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$line")
  [ "$f" -gt 0 ] && grep -E "^\s+Failed " "$log" | sed 's/^/   /' | head -30
  add "$name" "$p" "$f" "$s"
}

# A suite that prints "N passed, N failed[, N skipped]" as its last such line.
run_counted() { # name command...
  local name=$1; shift
  local log="$logs/$name.log"
  echo "== $name"
  "$@" >"$log" 2>&1
  local rc=$?
  local line; line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "   $name did not run (exit $rc); last lines of $log:"; tail -20 "$log" | sed 's/^/   /'
    add "$name" 0 1 0; return
  fi
  local p f s
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
  s=$(grep -oE "[0-9]+ skipped" <<<"$line" | grep -oE "[0-9]+" || echo 0)
  if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then grep -E "FAIL" "$log" | head -30 | sed 's/^/   /'; fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "   $name exited $rc"; fi
  add "$name" "$p" "$f" "$s"
}

echo "== build"
if ! scripts/build.sh >"$logs/build.log" 2>&1; then
  tail -30 "$logs/build.log"; echo "0 passed, 1 failed"; exit 1
fi
export RDMARUN_BIN=$repo/out/rdmarun
# The fault-injection tests (integration; the kernel lab's fault-suite) need the test-only build with
# fault points (out/faults/rdmarun).
if want integration || { want kernel-lab && [ "$no_lab" = 0 ]; }; then
  echo "== build (fault points)"
  if scripts/build.sh --faults >"$logs/build-faults.log" 2>&1; then
    export RDMARUN_FAULTS_BIN=$repo/out/faults/rdmarun
  else
    tail -30 "$logs/build-faults.log"; echo "0 passed, 1 failed"; exit 1
  fi
fi

if want unit; then
  run_dotnet_test oci-spec oci-spec/Rdmarun.OciSpec.Tests
  run_dotnet_test hooks hooks/Rdmarun.Hooks.Tests
  run_dotnet_test rdma rdma/Rdmarun.Rdma.Tests
  run_dotnet_test cgroups runtime/Rdmarun.Cgroups.Tests
  run_dotnet_test engine runtime/Rdmarun.Engine.Tests
fi
if want integration; then
  run_dotnet_test integration tests/integration/Rdmarun.Integration.Tests
fi
if want conformance && [ -x tests/conformance/scripts/run.sh ]; then
  run_counted conformance-host tests/conformance/scripts/run.sh --ci
  # The same cases with every runtime run as an unprivileged user (issue 5: rootless).
  run_counted conformance-rootless tests/conformance/scripts/run.sh --ci --rootless
fi
if want engines; then
  # --lab: RDMA through Docker and the cgroup v2 docker cases in the kernel lab (one more boot).
  eng_lab=(); [ "$no_lab" = 0 ] && [ -x tests/kernel-lab/lab.sh ] && eng_lab=(--lab)
  run_counted engines tests/engines/run.sh "${eng_lab[@]}"
fi
if want hpc-mpi; then ensure_deps hpc; run_counted hpc-mpi tests/hpc/mpi/run.sh; fi
if want slurm; then
  ensure_deps slurm
  run_counted slurm tests/hpc/run-slurm.sh
  # proctrack/cgroup kills only the step's direct pids: the runtime must not leave the step open.
  run_counted slurm-proctrack-cgroup env SLURM_LAB_PROCTRACK=cgroup tests/hpc/run-slurm.sh \
    --case scancel_srun_step --case scancel_running --case runtime_killed --case warm_steps
fi
if want kernel-lab && [ "$no_lab" = 0 ] && [ -x tests/kernel-lab/ci.sh ]; then
  run_counted kernel-lab tests/kernel-lab/ci.sh
  # lab.sh's own failure paths (timeout, panic, no rxe0, no cache, killed harness) and a wrong
  # expectation in the guest must each fail readably and leave no qemu behind (issue 3).
  run_counted kernel-lab-harness tests/kernel-lab/harness-test.sh
fi

echo
echo "suite                        results"
printf '%s\n' "${summary[@]}"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
