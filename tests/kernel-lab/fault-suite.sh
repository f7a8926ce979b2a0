#!/bin/bash
# Fault injection on cgroup v2 (the kernel lab): rdmarun's fault-point build (scripts/build.sh --faults)
# SIGKILLed at each of 19 points of create, start, exec and delete, then `delete --force` by the
# production binary; nothing may be left (state dir, cgroup, mount, process). The host twin is
# tests/integration FaultInjectionTests (cgroup v1 hybrid). ci.sh runs it in its one boot (a *-suite.sh
# with --inside); it copies both binaries into the share, because a checkout under /tmp is invisible
# in the guest.
#
#   fault-suite.sh               on the host: boots the lab and runs the cases inside
#   fault-suite.sh --inside DIR  the cases themselves (DIR: a scratch dir the guest can write)
# Binaries: RDMARUN_BIN (default out/rdmarun) and RDMARUN_FAULTS_BIN (default out/faults/rdmarun).
# Prints "PASS name" / "FAIL name: reason" and "N passed, N failed"; exit 0 only when all passed.
set -uo pipefail
# One brace group: bash parses all of it before running, so editing this file during a run (the host side
# waits for a long boot) cannot make the running copy read garbage.
{
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)

host_main() {
    local share rc=0
    share=$(mktemp -d "${TMPDIR:-/var/tmp}/kernel-lab-faults.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Copies: a rebuild on the host during the run must not swap a binary under the guest.
    cp "$LAB_DIR/fault-suite.sh" "$share/" && cp "${RDMARUN_BIN:-$REPO/out/rdmarun}" "$share/rdmarun" \
        && cp "${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun}" "$share/rdmarun-faults" || { echo "0 passed, 1 failed"; return 125; }
    "$LAB_DIR/lab.sh" run --timeout "${SUITE_TIMEOUT:-900}" --share "$share" \
        --env "RDMARUN_BIN=$share/rdmarun" --env "RDMARUN_FAULTS_BIN=$share/rdmarun-faults" \
        -- "$(printf '%q ' bash "$share/fault-suite.sh" --inside "$share")" || rc=$?
    [[ -f $share/summary ]] || { echo "FAIL lab: lab.sh run exited $rc before the cases finished"; echo "0 passed, 1 failed"; ((rc != 0)) || rc=1; }
    return "$rc"
}

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
MARK=fault-lab-marker-4e1f

leaks() { # id bundle: prints what is left
    local id=$1 b=$2 f p
    [[ -e $ROOT/$id ]] && echo "state dir $ROOT/$id"
    find /sys/fs/cgroup -type d -name "$id" 2>/dev/null | sed 's/^/cgroup /'
    grep -F "$b" /proc/self/mountinfo | sed 's/^/mount /'
    # Two greps over all of /proc, not a loop of them per process: forks are slow under TCG.
    for f in $( (grep -lsF "$MARK" /proc/[0-9]*/cmdline; grep -ls "/$id\$" /proc/[0-9]*/cgroup) | sort -u); do
        p=${f#/proc/} p=${p%%/*}
        [[ $p == "$$" || $p == "$BASHPID" ]] && continue
        grep -qs "^State:.*Z" "/proc/$p/status" && continue
        [[ -e /proc/$p ]] && echo "process $p $(tr "\0" " " 2>/dev/null <"/proc/$p/cmdline")"
    done
}

# One bundle, copied for each case: busybox read once over 9p, `rdmarun spec` and jq run once.
make_template() {
    local t=$WORK/template
    mkdir -p "$t/rootfs"/{bin,etc,proc,sys,dev,tmp,root} || return 1
    cp /bin/busybox "$t/rootfs/bin/busybox" || return 1
    for a in sh sleep true; do ln -sf busybox "$t/rootfs/bin/$a"; done
    (cd "$t" && "$RT" spec) || return 1
    jq ".process.terminal = false | .process.args = [\"sh\", \"-c\", \"sleep 600; echo $MARK\"] | .hooks = {\"prestart\": [{\"path\": \"/bin/true\"}]}" \
        "$t/config.json" >"$t/c.json" && mv "$t/c.json" "$t/config.json"
}

one_case() { # point setup-verb...
    local point=$1 verb=$2 id b out left t0=$SECONDS
    id=fl-${point//./-}
    b=$WORK/$id
    cp -a "$WORK/template" "$b" || { fail "$point" "copy of the bundle template"; return; }
    case $verb in
        start) (cd "$b" && "$RT" --root "$ROOT" create "$id") || { fail "$point" "setup create"; return; } ;;
        exec | delete) (cd "$b" && "$RT" --root "$ROOT" run -d "$id" </dev/null >/dev/null 2>&1) || { fail "$point" "setup run"; return; } ;;
    esac
    local args=("$verb" "$id")
    [[ $verb == exec ]] && args=(exec "$id" sh -c "sleep 500; echo $MARK")
    [[ $verb == delete ]] && args=(delete --force "$id")
    # The braces take the shell's "Killed" notice: that kill is the point of the case.
    { (cd "$b" && RDMARUN_TEST_FAULT=$point timeout 60 "$FAULTS" --root "$ROOT" "${args[@]}" </dev/null >/dev/null 2>&1); } 2>/dev/null
    local rc=$?
    (cd "$b" && timeout 60 "$RT" --root "$ROOT" delete --force "$id") >"$WORK/$id.del" 2>&1
    local drc=$?
    # Killed processes take a moment to go: look again for up to 15 s.
    local until=$((SECONDS + 15))
    while left=$(leaks "$id" "$b"); [[ -n $left ]] && ((SECONDS < until)); do sleep 0.5; done
    if [[ $rc != 137 ]]; then fail "$point" "rdmarun exited $rc, not killed at the point"
    elif [[ $drc != 0 ]]; then fail "$point" "delete --force exited $drc: $(head -c 200 "$WORK/$id.del")"
    elif [[ -n $left ]]; then fail "$point" "left: $(tr '\n' ';' <<<"$left" | head -c 400)"
    else pass "$point ($(stat -fc %T /sys/fs/cgroup), $((SECONDS - t0)) s)"; fi
}

inside_main() {
    local dir=$1
    RT=${RDMARUN_BIN:-$REPO/out/rdmarun} FAULTS=${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun}
    WORK=$(mktemp -d /run/fault-suite.XXXXXX) ROOT=/run/rdmarun-faults
    local b
    for b in "$RT" "$FAULTS"; do
        if [[ ! -x $b ]]; then
            fail setup "$b missing (scripts/build.sh builds out/rdmarun, scripts/build.sh --faults out/faults/rdmarun)"
            echo "$passed passed, $failed failed" | tee "$dir/summary"
            return 1
        fi
    done
    make_template || { fail setup "cannot make the bundle template in $WORK"; echo "$passed passed, $failed failed" | tee "$dir/summary"; return 1; }
    local start=$SECONDS
    for p in after-claim after-fifo after-spawn after-cgroup after-init-pid after-launch after-hooks after-ready after-save; do one_case "create.$p" create; done
    for p in before-release after-release; do one_case "start.$p" start; done
    for p in after-spawn after-cgroup after-init-pid after-launch after-exec; do one_case "exec.$p" exec; done
    for p in after-lock after-kill after-cgroup; do one_case "delete.$p" delete; done
    echo "fault-suite: $((passed + failed)) cases in $((SECONDS - start)) s"
    echo "$passed passed, $failed failed" | tee "$dir/summary"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then inside_main "${2:?dir}"; else host_main; fi
exit
}
