#!/usr/bin/env bash
# The long fuzz run (not CI; CI runs the same properties with a small count): CsCheck properties over
# config.json, process.json, state.json, annotations (oci-spec), the rdma policy file and requests
# (rdma), and random command lines against the built binary (integration).
#   RDMARUN_FUZZ_ITERATIONS      per in-process property (6 properties), default 165000
#   RDMARUN_FUZZ_CLI_ITERATIONS  command lines run through out/rdmarun, default 10000
# Defaults total 1,000,000 inputs. A failure prints the CsCheck seed that reproduces it.
set -uo pipefail
cd "$(dirname "$0")/.."
export RDMARUN_FUZZ_ITERATIONS=${RDMARUN_FUZZ_ITERATIONS:-165000}
export RDMARUN_FUZZ_CLI_ITERATIONS=${RDMARUN_FUZZ_CLI_ITERATIONS:-10000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x out/rdmarun ] || scripts/build.sh
start=$(date +%s)
failed=0
run() { # name project filter
  local t0; t0=$(date +%s)
  local out; out=$(dotnet test "$2" --nologo -v quiet --filter "$3" 2>&1)
  local line; line=$(grep -E "(Passed|Failed)! " <<<"$out" | tail -1)
  echo "$1: ${line:-did not run} ($(( $(date +%s) - t0 )) s)"
  if ! grep -q "Passed!" <<<"$line"; then failed=1; grep -E "CsCheckException|---- |→|stderr:" <<<"$out" | head -20; fi
}
run "oci-spec (config, process, state, annotations)" oci-spec/Rdmarun.OciSpec.Tests "FullyQualifiedName~Fuzz"
run "rdma (policy, requests)" rdma/Rdmarun.Rdma.Tests "FullyQualifiedName~Fuzz"
run "cli (command lines)" tests/integration/Rdmarun.Integration.Tests "FullyQualifiedName~CliFuzz"
total=$(( RDMARUN_FUZZ_ITERATIONS * 6 + RDMARUN_FUZZ_CLI_ITERATIONS ))
echo "fuzz: $total inputs in $(( $(date +%s) - start )) s, $([ $failed = 0 ] && echo 'no failure' || echo 'FAILURES above')"
exit $failed
