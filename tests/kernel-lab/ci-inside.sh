#!/bin/bash
# Runs inside the kernel lab for ci.sh: every part in one boot, each part's output to the console and to
# SHARE/PART.log, its exit status to SHARE/PART.rc (a part without .rc did not finish: ci.sh counts it failed).
#
#   ci-inside.sh SHARE [--broken]
#   ci-inside.sh SHARE --suite SUITE MODE     only `SUITE --inside DIR MODE` (a mode that needs its own boot)
#   ci-inside.sh SHARE --suite SUITE          only `SUITE --inside DIR` (a suite that needs a boot of its own)
#
# Parts: selftest (selftest.sh --inside), conformance and conformance-rootless (rdmarun, runc, crun on
# cgroup v2, as root, then as an unprivileged user), then every tests/kernel-lab/*-suite.sh that runs in
# the guest (see ci.sh for how suites are called).
# --broken: only selftest.sh --broken, whose wrong rdma.max expectation must fail.
set -uo pipefail
# One brace group: bash parses all of it before running, so editing this file mid-run (a long boot)
# cannot make the running copy read garbage.
{
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)
share=${1:?usage: ci-inside.sh SHARE [--broken]}
broken=${2:-}

run_part() { # name command...
    local name=$1 t0 rc
    shift
    echo "== $name"
    t0=$(date +%s)
    "$@" </dev/null 2>&1 | tee "$share/$name.log"
    rc=${PIPESTATUS[0]}
    echo "$rc $(($(date +%s) - t0))" >"$share/$name.rc"
    echo "== $name: exit $rc after $(($(date +%s) - t0)) s"
}

# A part's private dir, with the probes ci.sh compiled on the host (gcc under emulation is slow).
part_dir() {
    mkdir -p "$share/$1"
    local p
    for p in "$share"/probes/*; do [[ -x $p ]] && cp "$p" "$share/$1/"; done
    echo "$share/$1"
}
# The snapshot ci.sh copied: out/rdmarun replaced on the host during the boot can look torn through 9p.
[[ -x $share/rdmarun ]] && export RDMARUN_BIN=$share/rdmarun
# The same for the fault-point build; a host path it may have been given is invisible here (under /tmp).
if [[ -x $share/rdmarun-faults ]]; then export RDMARUN_FAULTS_BIN=$share/rdmarun-faults; else unset RDMARUN_FAULTS_BIN; fi
if [[ $broken == --suite ]]; then
    suite=${3:?suite} mode=${4:-}
    name=$(basename "$suite" .sh)${mode:+-$mode}
    run_part "$name" bash "$suite" --inside "$(part_dir "$name")" ${mode:+"$mode"}
    exit 0
fi
part_dir selftest >/dev/null
if [[ $broken == --broken ]]; then
    run_part selftest bash "$LAB_DIR/selftest.sh" --inside --broken "$share/selftest"
    exit 0
fi
run_part selftest bash "$LAB_DIR/selftest.sh" --inside "$share/selftest"
run_part conformance env CONFORMANCE_HARNESS="$share/harness" \
    "$REPO/tests/conformance/scripts/run.sh" --lab "$share" --validator "$share/validator" --parallel
# The same cases as an unprivileged user: rootless on cgroup v2 is what the hybrid host cannot show.
run_part conformance-rootless env CONFORMANCE_HARNESS="$share/harness" \
    "$REPO/tests/conformance/scripts/run.sh" --lab "$share" --rootless --validator "$share/validator" --parallel
while read -r suite; do
    [[ -n $suite ]] || continue
    name=$(basename "$suite" .sh)
    dir=$(part_dir "$name")
    if grep -q -- '--inside' "$suite"; then
        run_part "$name" bash "$suite" --inside "$dir"
    else
        run_part "$name" bash "$suite"
    fi
done <"$share/guest-suites"
exit 0
exit
}
