#!/bin/bash
# Fault injection on cgroup v2 (the kernel lab): rdmarun's fault-point build (scripts/build.sh --faults)
# SIGKILLed at each stage of create, start, exec and delete, then `delete --force` by out/rdmarun;
# nothing may be left (state dir, cgroup, mount, process). The host twin is tests/integration
# FaultInjectionTests (cgroup v1 hybrid). Not a *-suite.sh: ci.sh does not pick it up yet (its
# guest cannot see out/faults of a checkout under /tmp); run it by hand:
#
#   tests/kernel-lab/fault-lab.sh               boots the lab and runs the cases inside
#   tests/kernel-lab/fault-lab.sh --inside DIR  the cases themselves
# Prints "PASS name" / "FAIL name: reason" and "N passed, N failed"; exit 0 only when all passed.
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)

host_main() {
    local share rc=0
    share=$(mktemp -d "${TMPDIR:-/var/tmp}/kernel-lab-faults.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Copies: a rebuild on the host during the run must not swap a binary under the guest.
    cp "$LAB_DIR/fault-lab.sh" "$share/" && cp "${RDMARUN_BIN:-$REPO/out/rdmarun}" "$share/rdmarun" \
        && cp "${RDMARUN_FAULTS_BIN:-$REPO/out/faults/rdmarun}" "$share/rdmarun-faults" || { echo "0 passed, 1 failed"; return 125; }
    "$LAB_DIR/lab.sh" run --timeout "${SUITE_TIMEOUT:-2400}" --share "$share" \
        -- "$(printf '%q ' bash "$share/fault-lab.sh" --inside "$share")" || rc=$?
    [[ -f $share/summary ]] || { echo "FAIL lab: lab.sh run exited $rc before the cases finished"; echo "0 passed, 1 failed"; ((rc != 0)) || rc=1; }
    return "$rc"
}

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
MARK=fault-lab-marker-4e1f

leaks() { # id bundle: prints what is left
    local id=$1 b=$2 p
    [[ -e $ROOT/$id ]] && echo "state dir $ROOT/$id"
    find /sys/fs/cgroup -type d -name "$id" 2>/dev/null | sed 's/^/cgroup /'
    grep -F "$b" /proc/self/mountinfo | sed 's/^/mount /'
    for p in /proc/[0-9]*; do
        [[ $p == /proc/$$ || $p == /proc/$BASHPID ]] && continue
        grep -qs "^State:.*Z" "$p/status" && continue
        if tr "\0" " " 2>/dev/null <"$p/cmdline" | grep -q "$MARK" || grep -qs "/$id\$" "$p/cgroup"; then
            echo "process ${p#/proc/} $(tr "\0" " " 2>/dev/null <"$p/cmdline")"
        fi
    done
}

one_case() { # point setup-verb...
    local point=$1 verb=$2 id b out left i
    id=fl-${point//./-}
    b=$WORK/$id
    mkdir -p "$b/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
    cp /bin/busybox "$b/rootfs/bin/busybox"
    for a in sh sleep true; do ln -sf busybox "$b/rootfs/bin/$a"; done
    (cd "$b" && "$RT" spec) || { fail "$point" "spec"; return; }
    jq ".process.terminal = false | .process.args = [\"sh\", \"-c\", \"sleep 600; echo $MARK\"] | .hooks = {\"prestart\": [{\"path\": \"/bin/true\"}]}" \
        "$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json"
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
    for i in $(seq 1 50); do left=$(leaks "$id" "$b"); [[ -z $left ]] && break; sleep 0.2; done
    if [[ $rc != 137 ]]; then fail "$point" "rdmarun exited $rc, not killed at the point"
    elif [[ $drc != 0 ]]; then fail "$point" "delete --force exited $drc: $(head -c 200 "$WORK/$id.del")"
    elif [[ -n $left ]]; then fail "$point" "left: $(tr '\n' ';' <<<"$left" | head -c 400)"
    else pass "$point ($(stat -fc %T /sys/fs/cgroup))"; fi
}

inside_main() {
    local dir=$1
    RT=$dir/rdmarun FAULTS=$dir/rdmarun-faults WORK=$dir/work ROOT=/run/rdmarun-faults
    mkdir -p "$WORK"
    for p in after-claim after-fifo after-spawn after-cgroup after-init-pid after-launch after-hooks after-ready after-save; do one_case "create.$p" create; done
    for p in before-release after-release; do one_case "start.$p" start; done
    for p in after-spawn after-cgroup after-init-pid after-launch after-exec; do one_case "exec.$p" exec; done
    for p in after-lock after-kill after-cgroup; do one_case "delete.$p" delete; done
    echo "$passed passed, $failed failed" | tee "$dir/summary"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then inside_main "${2:?dir}"; else host_main; fi
