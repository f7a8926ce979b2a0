# containerd cases through ctr and the runc shim (io.containerd.runc.v2), with the runtime
# binary given as the shim's BinaryName (`--runc-binary`), once per runtime ($RT).

rt_bin() { [ "$RT" = rdmarun ] && echo "$ENG_BIN" || command -v runc; }
# ctr run with the runtime, a private runtime root and a cgroup under the suite's parent.
crun_() { # ID [ctr-run-flags...] -- [COMMAND...]
    local id=$1; shift
    local flags=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    ctr_ run --runtime io.containerd.runc.v2 --runc-binary "$(rt_bin)" \
        --runc-root "$ENG_TMP/containerd/runc-root" --cgroup "/$ENG_CGROUP_PARENT/ctr/$id" \
        --env PATH=/bin "${flags[@]}" --rootfs "$ENG_TMP/rootfs" "$id" "$@"
}
ctr_id() { local id="e2e-$RT-$1"; ctr_remove "$id"; echo "$id"; }
ctr_remove() {
    ctr_ task kill -s SIGKILL "$1" >/dev/null 2>&1
    ctr_ task delete -f "$1" >/dev/null 2>&1
    ctr_ container delete "$1" >/dev/null 2>&1
    return 0
}
task_status() { ctr_ task ls | awk -v id="$1" '$1 == id {print $3}'; }
task_is() { [ "$(task_status "$1")" = "$2" ]; }

containerd_run() {
    local id out rc; id=$(ctr_id run)
    out=$(crun_ "$id" --rm -- sh -c 'echo to-out; echo to-err >&2; exit 3' 2>"$ENG_TMP/err"); rc=$?
    expect_eq "exit status" 3 "$rc" && expect_eq stdout to-out "$out" && expect_eq stderr to-err "$(cat "$ENG_TMP/err")"
}

containerd_tty() {
    local id out rc; id=$(ctr_id tty)
    out=$(with_tty "ctr --address $ENG_TMP/containerd/containerd.sock --namespace $ENG_CTR_NS run -t --rm \
        --runtime io.containerd.runc.v2 --runc-binary $(rt_bin) --runc-root $ENG_TMP/containerd/runc-root \
        --cgroup /$ENG_CGROUP_PARENT/ctr/$id --env PATH=/bin --rootfs $ENG_TMP/rootfs $id sh -c 'tty; exit 4'"); rc=$?
    echo "$out"
    expect_eq "exit status" 4 "$rc" && expect_match "tty" "/dev/pts/[0-9]+" "$out"
}

# -d, then exec (plain and with a tty) and ps through the shim.
containerd_exec() {
    local id out rc; id=$(ctr_id exec)
    crun_ "$id" -d -- sleep 300 >/dev/null || return 1
    wait_for 20 task_is "$id" RUNNING || fail "task not RUNNING: $(ctr_ task ls)" || return 1
    out=$(ctr_ task exec --exec-id e1 "$id" sh -c 'echo e-$((2+3)); exit 2'); rc=$?
    expect_eq "exec exit status" 2 "$rc" && expect_eq "exec stdout" e-5 "$out" || { ctr_remove "$id"; return 1; }
    out=$(with_tty "ctr --address $ENG_TMP/containerd/containerd.sock --namespace $ENG_CTR_NS task exec -t --exec-id e2 $id sh -c 'tty; exit 5'"); rc=$?
    echo "$out"
    expect_eq "exec -t exit status" 5 "$rc" && expect_match "exec -t tty" "/dev/pts/[0-9]+" "$out" || { ctr_remove "$id"; return 1; }
    local pid; pid=$(ctr_ task ls | awk -v id="$id" '$1 == id {print $2}')
    out=$(ctr_ task ps "$id"); echo "$out"
    expect_match "task ps lists the init" "^$pid( |$)" "$out"
    rc=$?; ctr_remove "$id"; return $rc
}

containerd_pause() {
    local id fz; id=$(ctr_id pause)
    crun_ "$id" -d -- sleep 300 >/dev/null || return 1
    wait_for 20 task_is "$id" RUNNING || return 1
    fz=/sys/fs/cgroup/freezer/$ENG_CGROUP_PARENT/ctr/$id/freezer.state
    ctr_ task pause "$id" &&
        expect_eq "status after pause" PAUSED "$(task_status "$id")" && expect_eq "$fz" FROZEN "$(cat "$fz")" &&
        ctr_ task resume "$id" &&
        expect_eq "status after resume" RUNNING "$(task_status "$id")" && expect_eq "$fz" THAWED "$(cat "$fz")"
    local rc=$?; ctr_remove "$id"; return $rc
}

containerd_kill() {
    local id out; id=$(ctr_id kill)
    crun_ "$id" -d -- sleep 300 >/dev/null || return 1
    wait_for 20 task_is "$id" RUNNING || return 1
    ctr_ task kill -s SIGKILL "$id" || return 1
    wait_for 20 task_is "$id" STOPPED || fail "not STOPPED: $(ctr_ task ls)" || return 1
    out=$(ctr_ task delete "$id" 2>&1); echo "$out"
    expect_match "task delete reports the exit status" "137" "$out"
    local rc=$?; ctr_remove "$id"; return $rc
}

# After delete the runtime keeps no state and the cgroup is gone.
containerd_delete_cleanup() {
    local id; id=$(ctr_id cleanup)
    crun_ "$id" --rm -- true || return 1
    local left
    left=$(find "$ENG_TMP/containerd/runc-root" /sys/fs/cgroup/*/"$ENG_CGROUP_PARENT"/ctr -name "$id" 2>/dev/null)
    expect_eq "state and cgroups left for $id" "" "$left" &&
        expect_eq "containers left" "" "$(ctr_ container ls -q | grep -x "$id")"
}

# --no-pivot reaches the runtime's create: the rootfs is still the container's, the host's hidden.
containerd_no_pivot() {
    local id out; id=$(ctr_id nopivot)
    out=$(crun_ "$id" --rm --no-pivot -- sh -c "[ -x /bin/busybox ] && [ ! -e $ENG_TMP ] && [ ! -e /work ] && echo own-root") || return 1
    expect_eq "root with --no-pivot" own-root "$out"
}

CONTAINERD_CASES="run tty exec pause kill delete_cleanup no_pivot"

# The CRI registration install.sh wrote is what containerd itself parses.
containerd_cri_config() {
    local dump
    dump=$(t containerd --config "$ENG_TMP/containerd/config.toml" config dump) || return 1
    expect_match "runtime type" 'runtime_type = "io.containerd.runc.v2"' \
        "$(grep -A12 'containerd.runtimes.rdmarun\]' <<<"$dump")" &&
        expect_match "BinaryName" "BinaryName = \"$ENG_BIN\"" "$(grep -A3 'containerd.runtimes.rdmarun.options\]' <<<"$dump")"
}

containerd_cases() { # RUNTIME
    RT=$1
    if [ "$RT" = rdmarun ]; then
        case_run "containerd/cri-runtime-config" containerd_cri_config
        case_run "containerd/rdmarun/checkpoint-unsupported" containerd_checkpoint_unsupported
    fi
    local c
    for c in $CONTAINERD_CASES; do case_run "containerd/$RT/${c//_/-}" "containerd_$c"; done
    [ "$ENG_FAILED" -gt 0 ] && [ "$RT" = "${runtimes##* }" ] && containerd_log_tail 20
    return 0
}

# checkpoint is not implemented: the shim must show rdmarun's own message, not a parse error.
containerd_checkpoint_unsupported() {
    local id out rc; id=$(ctr_id ckpt)
    crun_ "$id" -d -- sleep 300 >/dev/null || return 1
    wait_for 20 task_is "$id" RUNNING || return 1
    out=$(ctr_ task checkpoint "$id" 2>&1); rc=$?; echo "$out"
    [ $rc -ne 0 ] || fail "checkpoint succeeded" || { ctr_remove "$id"; return 1; }
    expect_match "error shown by ctr" "checkpoint.*not supported|not supported.*checkpoint" "$out" &&
        expect_eq "task still running" RUNNING "$(task_status "$id")"
    rc=$?; ctr_remove "$id"; return $rc
}
