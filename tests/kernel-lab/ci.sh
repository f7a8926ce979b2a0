#!/bin/bash
# The kernel lab's CI entry (scripts/test.sh calls it): everything that needs cgroup v2 + rdma + rxe0.
#
#   ci.sh [--broken]
#
# 1. lab.sh build (cached).
# 2. On the host: the conformance harness (dotnet build), the static validator and verbs-probe (gcc), so
#    nothing is compiled under emulation.
# 3. ONE boot running ci-inside.sh: selftest checks, the conformance suite against rdmarun, runc and crun
#    (crun runs as it is on cgroup v2), and each tests/kernel-lab/*-suite.sh. A suite is run in the guest
#    as `bash SUITE --inside DIR` when it mentions --inside (selftest.sh's convention), else as `bash SUITE`
#    unless it calls lab.sh: then it boots its own lab and is run on the host after this boot. In the guest
#    RDMARUN_BIN is a snapshot of out/rdmarun and DIR holds verbs-probe (compiled on the host).
#    Every part prints PASS/FAIL lines and a last "N passed, N failed[, N skipped]" line.
# 4. Aggregate: one "N passed, N failed, N skipped" line last; exit 1 when anything failed. A lab failure
#    (timeout 124, panic or setup failure 125) or a part that did not finish counts as a failure.
#
# --broken (or KERNEL_LAB_CI_BROKEN=1): only selftest --broken, which expects a wrong rdma.max value; it
# must end with "1 failed" and exit 1, proving that a wrong expectation fails CI with a readable message.
#
# Outputs: out/kernel-lab-ci/ (the share: PART.log, PART.rc), out/conformance-lab.md and .json.
# Environment: RDMARUN_CONFORMANCE_RUNTIMES (conformance columns, default "rdmarun runc crun"),
# KERNEL_LAB_CI_TIMEOUT (seconds for the one boot, default 2700), KERNEL_LAB_CI_MODE_TIMEOUT (each extra mode boot, default 600), RDMARUN_BIN (default out/rdmarun),
# RDMARUN_FAULTS_BIN (fault-suite's fault-point build, default out/faults/rdmarun).
set -uo pipefail
# One brace group: bash parses all of it before running, so editing this file mid-run (a long boot)
# cannot make the running copy read garbage.
{
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)
broken=""
case ${1:-} in
    --broken) broken=--broken ;;
    "") [[ ${KERNEL_LAB_CI_BROKEN:-0} == 1 ]] && broken=--broken ;;
    *) echo "usage: ci.sh [--broken]" >&2; exit 2 ;;
esac
timeout=${KERNEL_LAB_CI_TIMEOUT:-2700}
share=$REPO/out/kernel-lab-ci
rdmarun=${RDMARUN_BIN:-$REPO/out/rdmarun}
faults=${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun}

P=0 F=0 S=0
rows=()
count() { # part passed failed skipped seconds|-
    P=$((P + $2)); F=$((F + $3)); S=$((S + $4))
    local t=$5
    [[ $t == [0-9]* ]] && t=${t}s
    rows+=("$(printf '%-22s %6d %6d %7d %7s' "$1" "$2" "$3" "$4" "$t")")
}
finish() {
    echo
    printf '%-22s %6s %6s %7s %7s\n' part passed failed skipped time
    printf '%s\n' "${rows[@]}"
    echo "$P passed, $F failed, $S skipped"
    ((F == 0))
    exit
}
now() { date +%s; }

# lab.sh run in the background so a TERM/INT to ci.sh reaches it (lab.sh then kills its qemu) instead
# of leaving an orphaned boot writing into the share.
# Its stderr (the kernel-lab: lines saying why a boot failed) is kept in lab.err and relayed afterwards, so
# the reason can go into the FAIL line: scripts/test.sh shows only FAIL lines of this suite's log.
# A boot that hangs before the command starts (lab.sh's boot limit) is tried once more: nothing ran yet,
# and the hang is the emulator's, not the code's under test; the retry is said on stdout.
child=""
run_lab() {
    local try rc
    for try in 1 2; do
        "$LAB_DIR/lab.sh" run "$@" 2>"$share/lab.err" &
        child=$!
        wait "$child"
        rc=$?
        child=""
        cat "$share/lab.err" >&2
        if ((try == 1 && rc == 124)) && grep -q '^kernel-lab: boot timed out' "$share/lab.err"; then
            echo "ci: the lab did not boot ($(lab_why)); booting again"
            continue
        fi
        break
    done
    return "$rc"
}
# "boot timed out after 600 s (vm killed)" or the like: the lab's own words for a failed run.
lab_why() { grep -E '^kernel-lab: ' "$share/lab.err" 2>/dev/null | grep -v 'console lines' | head -n 2 | sed 's/^kernel-lab: //' | paste -sd ';' -; }
# What a part that did not finish was doing: its last line.
last_line() { [[ -s $1 ]] && echo "; its last line: $(tail -n 1 "$1" | cut -c1-200)"; }
trap 'echo "FAIL ci: interrupted"; [[ -n $child ]] && kill -TERM "$child" 2>/dev/null && wait "$child"; exit 143' TERM INT

# Two runs would share out/kernel-lab-ci: the second waits.
exec 8>"$REPO/out/kernel-lab-ci.lock"
flock 8

# ---------------------------------------------------------------- build (host)

t0=$(now)
mkdir -p "$REPO/out"
if ! "$LAB_DIR/lab.sh" build >"$REPO/out/kernel-lab-build.log" 2>&1; then
    echo "FAIL lab-build: lab.sh build failed (log: out/kernel-lab-build.log):"
    tail -n 15 "$REPO/out/kernel-lab-build.log" | sed 's/^/   /'
    count lab-build 0 1 0 $(($(now) - t0))
    finish
fi
rm -rf --one-file-system "$share"
mkdir -p "$share"
# The guest sees the host's / except /tmp and /run (fresh tmpfs there), and CI may clone the repo
# under /tmp: the guest runs a snapshot of tests/ from the share, never the checkout itself.
mkdir -p "$share/repo"
tar -C "$REPO" --exclude=bin --exclude=obj -cf - tests | tar -C "$share/repo" -xf -
GLAB=$share/repo/tests/kernel-lab
prep_fail() { echo "FAIL prepare: $*"; count prepare 0 1 0 $(($(now) - t0)); finish; }
if [[ -z $broken ]]; then
    "$REPO/tests/conformance/scripts/run.sh" --build-only >/dev/null || prep_fail "building the conformance harness failed"
    gcc -static -O2 -Wall -o "$share/validator" "$REPO/tests/conformance/validator/validator.c" 2>"$share/gcc.log" \
        || prep_fail "gcc -static validator.c failed: $(head -c 400 "$share/gcc.log")"
    [[ -x $rdmarun ]] || prep_fail "$rdmarun missing (run: scripts/build.sh)"
    # Snapshots for the guest: somebody rebuilding out/ during the boot must not tear the files under
    # test (a binary replaced on the host mid-boot crashed with SIGSEGV in the guest, seen through 9p).
    cp "$rdmarun" "$share/rdmarun" && cp -a "$REPO/out/conformance-harness" "$share/harness" \
        || prep_fail "copying $rdmarun and out/conformance-harness into $share failed"
    # fault-suite's fault-point build; without it that suite fails saying so (the rest still runs).
    if [[ -x $faults ]]; then
        cp "$faults" "$share/rdmarun-faults" || prep_fail "copying $faults into $share failed"
    else
        echo "ci: $faults missing (scripts/build.sh --faults): fault-suite will fail" >&2
    fi
fi
# Every probe next to the suites (verbs-probe.c, rdma-mr-probe.c...), put into each part's dir.
mkdir -p "$share/probes"
if command -v gcc >/dev/null && [[ -f /usr/include/infiniband/verbs.h ]]; then
    for c in "$LAB_DIR"/*.c; do
        [[ -f $c ]] || continue
        gcc -O2 -Wall -o "$share/probes/$(basename "$c" .c)" "$c" -libverbs 2>>"$share/gcc.log" \
            || echo "ci: gcc failed to build $(basename "$c"): $(tail -n 3 "$share/gcc.log")" >&2
    done
fi
guest_suites=() host_suites=() mode_boots=() systemd_suites=()
if [[ -z $broken ]]; then
    for s in "$LAB_DIR"/*-suite.sh; do
        [[ -f $s ]] || continue
        # "# lab-boot: --systemd": a boot of its own with systemd as PID 1 (lab.sh run --systemd).
        if grep -q '^# lab-boot: --systemd' "$s"; then systemd_suites+=("$s"); continue; fi
        # --inside (selftest.sh's convention) runs in this boot; a suite that only knows how to boot
        # its own lab runs on the host; anything else is a plain in-guest script.
        if grep -q -- '--inside' "$s" || ! grep -q 'lab\.sh' "$s"; then guest_suites+=("$s"); else host_suites+=("$s"); fi
        # "MODE a|b|c" in a suite's usage: the first mode runs in the shared boot, each other in a boot of
        # its own (rdma-suite's netns exclusive mode must be set before any other netns exists).
        modes=$(grep -oE 'MODE [a-z]+(\|[a-z]+)+' "$s" | head -n 1 | cut -d' ' -f2 | tr '|' ' ')
        for m in $(cut -d' ' -f2- -s <<<"$modes"); do mode_boots+=("$s $m"); done
    done
fi
for s in "${guest_suites[@]}"; do echo "$GLAB/$(basename "$s")"; done >"$share/guest-suites"
count lab-build+prepare 0 0 0 $(($(now) - t0))

# ---------------------------------------------------------------- one boot

parts=(selftest)
[[ -z $broken ]] && parts+=(conformance conformance-rootless)
for s in "${guest_suites[@]}"; do parts+=("$(basename "$s" .sh)"); done
echo "ci: one lab boot for: ${parts[*]} (timeout ${timeout} s)"
for sm in "${mode_boots[@]}"; do echo "ci: then a boot of its own for $(basename "${sm% *}") mode ${sm##* }"; done
for s in "${systemd_suites[@]}"; do echo "ci: then a boot with systemd as PID 1 for $(basename "$s")"; done
[[ -n $broken ]] && echo "ci: --broken: selftest expects a wrong rdma.max value, so this run must report 1 failed and exit 1"
t0=$(now)
lab_rc=0
run_lab --timeout "$timeout" --share "$share" -- \
    "$(printf '%q ' bash "$GLAB/ci-inside.sh" "$share" $broken)" || lab_rc=$?
lab_secs=$(($(now) - t0))

lab_note=""
case $lab_rc in
    0) ;;
    124) lab_note="the kernel lab timed out (exit 124: $(lab_why))" ;;
    125) lab_note="the kernel lab failed (exit 125: $(lab_why))" ;;
    *) lab_note="lab.sh run exited $lab_rc" ;;
esac

# A part's counts come from the last "N passed, N failed[, N skipped]" line of its log.
tally() { # name log rcfile
    local name=$1 log=$2 rcfile=$3 line p f s rc secs
    if [[ ! -f $rcfile ]]; then
        echo "FAIL $name: did not finish${lab_note:+: $lab_note}$(last_line "$log")"
        count "$name" 0 1 0 -
        return
    fi
    read -r rc secs <"$rcfile"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [[ -z $line ]]; then
        echo "FAIL $name: exited $rc without a \"N passed, N failed\" line (log: ${log#"$REPO"/})"
        count "$name" 0 1 0 "$secs"
        return
    fi
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
    s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
    if ((rc != 0 && f == 0)); then
        echo "FAIL $name: exited $rc although its summary says 0 failed"
        f=1
    fi
    count "$name" "$p" "$f" "$s" "$secs"
}

echo
echo "== results"
for part in "${parts[@]}"; do tally "$part" "$share/$part.log" "$share/$part.rc"; done
if [[ -n $lab_note ]]; then
    echo "FAIL lab: $lab_note"
    count lab 0 1 0 "$lab_secs"
else
    count lab-boot-total 0 0 0 "$lab_secs"
fi
for report in conformance-lab conformance-lab-rootless; do
    for ext in md json; do
        [[ -f $share/$report.$ext ]] && cp "$share/$report.$ext" "$REPO/out/$report.$ext"
    done
done

# ---------------------------------------------------------------- modes that need a boot of their own

# A suite in a boot of its own: its name, extra `lab.sh run` options, then ci-inside.sh's --suite
# arguments. A suite that failed its cases exits 1: only other codes are the lab's failure.
own_boot() { # name [lab-option...] -- suite-path [mode]
    local name=$1 opts=() t0 lab_rc=0
    shift
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    t0=$(now)
    run_lab "${opts[@]}" --timeout "${KERNEL_LAB_CI_MODE_TIMEOUT:-600}" --share "$share" -- \
        "$(printf '%q ' bash "$GLAB/ci-inside.sh" "$share" --suite "$@")" || lab_rc=$?
    case $lab_rc in
        0 | 1) lab_note="" ;;
        124) lab_note="the kernel lab timed out (exit 124: $(lab_why))" ;;
        125) lab_note="the kernel lab failed (exit 125: $(lab_why))" ;;
        *) lab_note="lab.sh run exited $lab_rc" ;;
    esac
    tally "$name" "$share/$name.log" "$share/$name.rc"
    if [[ -n $lab_note && -f $share/$name.rc ]]; then
        echo "FAIL lab-$name: $lab_note"
        count "lab-$name" 0 1 0 $(($(now) - t0))
    fi
}

for sm in "${mode_boots[@]}"; do
    s=${sm% *} m=${sm##* }
    echo "== $(basename "$s" .sh)-$m (a boot of its own)"
    own_boot "$(basename "$s" .sh)-$m" -- "$GLAB/$(basename "$s")" "$m"
done

# ---------------------------------------------------------------- suites that need systemd as PID 1

for s in "${systemd_suites[@]}"; do
    echo "== $(basename "$s" .sh) (a boot of its own, systemd as PID 1)"
    own_boot "$(basename "$s" .sh)" --systemd -- "$GLAB/$(basename "$s")"
done

# ---------------------------------------------------------------- suites that boot their own lab

for s in "${host_suites[@]}"; do
    name=$(basename "$s" .sh)
    echo "== $name (own lab boots)"
    t0=$(now)
    bash "$s" </dev/null 2>&1 | tee "$share/$name.log"
    echo "${PIPESTATUS[0]} $(($(now) - t0))" >"$share/$name.rc"
    tally "$name" "$share/$name.log" "$share/$name.rc"
done
finish
exit
}
