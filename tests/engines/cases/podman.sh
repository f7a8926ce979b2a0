# podman cases, once per runtime ($RT): rdmarun by the name install.sh put in containers.conf,
# runc by podman's built-in name.
PIMG=rdmarun-e2e/busybox:latest

prun() { pm run --runtime "$RT" --cgroup-parent "/$ENG_CGROUP_PARENT/podman" "$@"; }
pname() { local n="e2e-$RT-$1"; pm rm -f -t 0 "$n" >/dev/null 2>&1; echo "$n"; }
pinsp() { pm inspect -f "$1" "$2"; }
p_running() { [ "$(pinsp '{{.State.Running}}' "$1")" = true ]; }
p_logs_have() { pm logs "$1" 2>&1 | grep -q -- "$2"; }
podman_cmd() { # the pm command line as a string, for with_tty
    printf 'env -u DOCKER_CONFIG -u DOCKER_HOST CONTAINERS_CONF=%s CONTAINERS_STORAGE_CONF=%s podman --root %s --runroot %s --storage-driver %s --runtime-flag root=%s' \
        "$ENG_TMP/podman/containers.conf" "$ENG_TMP/podman/storage.conf" "$ENG_TMP/podman/root" \
        "$ENG_TMP/podman/runroot" "${ENG_PODMAN_STORAGE:-overlay}" "$ENG_TMP/podman/runtime-root"
}

podman_run() {
    local out rc
    out=$(prun --rm "$PIMG" sh -c 'echo to-out; echo to-err >&2; exit 3' 2>"$ENG_TMP/err"); rc=$?
    expect_eq "exit status" 3 "$rc" && expect_eq stdout to-out "$out" && expect_eq stderr to-err "$(cat "$ENG_TMP/err")"
}

podman_tty() {
    local out rc
    out=$(with_tty "$(podman_cmd) run --rm -it --runtime $RT --cgroup-parent /$ENG_CGROUP_PARENT/podman $PIMG sh -c 'tty; exit 4'"); rc=$?
    echo "$out"
    expect_eq "exit status" 4 "$rc" && expect_match "tty" "/dev/pts/[0-9]+" "$out"
}

podman_exec() {
    local n out rc; n=$(pname exec)
    prun -d --name "$n" "$PIMG" sleep 300 >/dev/null || return 1
    out=$(pm exec "$n" sh -c 'echo e-$((2+3)); exit 2'); rc=$?
    expect_eq "exec exit status" 2 "$rc" && expect_eq "exec stdout" e-5 "$out" || { pm rm -f -t 0 "$n" >/dev/null; return 1; }
    out=$(with_tty "$(podman_cmd) exec -it $n sh -c 'tty; exit 5'"); rc=$?
    echo "$out"
    expect_eq "exec -it exit status" 5 "$rc" && expect_match "exec -it tty" "/dev/pts/[0-9]+" "$out"
    rc=$?; pm rm -f -t 0 "$n" >/dev/null; return $rc
}


podman_stop_term() {
    local n; n=$(pname stop)
    prun -d --name "$n" "$PIMG" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null || return 1
    wait_for 20 p_logs_have "$n" ready || fail "never printed ready" || return 1
    pm stop -t 30 "$n" >/dev/null || return 1
    expect_eq ExitCode 7 "$(pinsp '{{.State.ExitCode}}' "$n")" && expect_match logs got-term "$(pm logs "$n" 2>&1)"
    local rc=$?; pm rm -f -t 0 "$n" >/dev/null; return $rc
}

podman_kill() {
    local n; n=$(pname kill)
    prun -d --name "$n" "$PIMG" sleep 300 >/dev/null || return 1
    pm kill "$n" >/dev/null || return 1
    wait_for 20 sh -c "! $(podman_cmd) inspect -f '{{.State.Running}}' $n | grep -q true" || fail "still running" || return 1
    expect_eq ExitCode 137 "$(pinsp '{{.State.ExitCode}}' "$n")"
    local rc=$?; pm rm -f -t 0 "$n" >/dev/null; return $rc
}

podman_pause() {
    local n; n=$(pname pause)
    prun -d --name "$n" "$PIMG" sleep 300 >/dev/null || return 1
    pm pause "$n" >/dev/null &&
        expect_eq "State.Status after pause" paused "$(pinsp '{{.State.Status}}' "$n")" &&
        pm unpause "$n" >/dev/null &&
        expect_eq "State.Status after unpause" running "$(pinsp '{{.State.Status}}' "$n")" &&
        expect_eq "exec after unpause" ok "$(pm exec "$n" echo ok)"
    local rc=$?; pm rm -f -t 0 "$n" >/dev/null; return $rc
}

podman_memory() {
    local out
    out=$(prun --rm --memory 64m "$PIMG" cat /sys/fs/cgroup/memory/memory.limit_in_bytes) || return 1
    expect_eq "memory.limit_in_bytes inside" 67108864 "$out"
}

podman_rm_cleanup() {
    local n; n=$(pname rm)
    prun --rm --name "$n" "$PIMG" true || return 1
    expect_eq "containers named $n" "" "$(pm ps -a --filter name="$n" -q)"
}

PODMAN_CASES="run tty exec stop_term kill pause memory rm_cleanup"

podman_cases() { # RUNTIME
    RT=$1
    local c
    for c in $PODMAN_CASES; do case_run "podman/$RT/${c//_/-}" "podman_$c"; done
}
