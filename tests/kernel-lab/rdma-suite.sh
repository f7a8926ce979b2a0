#!/bin/bash
# rdmarun's RDMA grant checked for real in the kernel lab (rxe0, rdma cgroup), plus the same
# cases against runc and crun where they apply.
#
#   rdma-suite.sh                     on the host: builds the probes, boots the lab twice (shared
#                                     netns mode, then exclusive) and runs the cases inside
#   rdma-suite.sh --inside DIR [MODE] the cases themselves (DIR: share dir; MODE shared|exclusive);
#                                     also what `lab.sh run -- tests/kernel-lab/rdma-suite.sh` runs
# Prints "PASS name" / "FAIL name: reason" lines and "N passed, N failed"; exit 0 only when all passed.
# RDMARUN_BIN overrides the binary (default: out/rdmarun of this checkout).
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)
RDMARUN=${RDMARUN_BIN:-$REPO/out/rdmarun}

# ---------------------------------------------------------------- host side

host_main() {
    local share rc=0 mode total_p=0 total_f=0 p f
    share=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-rdma.XXXXXX") || return 125
    # mktemp makes it 0700: the memlock cases exec the probe from it as uid 65534.
    chmod 755 "$share" || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Compiled here: gcc under TCG emulation is slow. A copy of the binary: a rebuild during the
    # run must not change what is tested.
    cp "$RDMARUN" "$share/rdmarun" || return 125
    gcc -O2 -Wall -o "$share/verbs-probe" "$LAB_DIR/verbs-probe.c" -libverbs || echo "rdma-suite: gcc failed (verbs-probe)" >&2
    gcc -O2 -Wall -o "$share/rdma-mr-probe" "$LAB_DIR/rdma-mr-probe.c" -libverbs || echo "rdma-suite: gcc failed (rdma-mr-probe)" >&2
    for mode in shared exclusive; do
        rm -f "$share/summary"
        "$LAB_DIR/lab.sh" run --timeout "${SUITE_TIMEOUT:-900}" --share "$share" --env "RDMARUN_BIN=$share/rdmarun" -- \
            "$(printf '%q ' bash "$LAB_DIR/rdma-suite.sh" --inside "$share" "$mode")" || rc=$?
        if [[ -f $share/summary ]]; then
            read -r p _ f _ <"$share/summary"
        else
            echo "FAIL lab-$mode: lab.sh run exited $rc before the cases finished"
            p=0 f=1
        fi
        total_p=$((total_p + p)) total_f=$((total_f + f))
    done
    echo "total: $total_p passed, $total_f failed"
    ((total_f == 0))
}

# ---------------------------------------------------------------- guest side

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
one_line() { tr '\n' ' ' | sed 's/ *$//'; }

PARENT=rdma-suite # every container's cgroup is /sys/fs/cgroup/$PARENT/<id>

# rt RUNTIME ARGS...: one runtime command with the suite's state root. -k: a foreground `run` passes
# timeout's SIGTERM on to the container, whose PID 1 ignores it; without SIGKILL after it, a hung case
# would hang the whole lab boot instead of failing.
rt() {
    local r=$1
    shift
    case $r in
        rdmarun) timeout -k 10 90 "$RDMARUN" --root /run/rdma-suite-rdmarun "$@" ;;
        runc) timeout -k 10 90 runc --root /run/rdma-suite-runc "$@" ;;
        crun) timeout -k 10 90 crun --root /run/rdma-suite-crun "$@" ;;
    esac
}

# new_bundle NAME ARGS...: a bundle in $WORK/NAME whose rootfs is the lab's own / (read-only
# bind, so libibverbs, its providers and the tools are there) with fresh /proc, /dev, /sys; the
# share (probes) at /mnt; cgroup $PARENT/NAME (its own cgroup namespace, so /sys/fs/cgroup/rdma.max
# is the container's); its own network namespace.
new_bundle() {
    local name=$1 dir=$WORK/$1 args
    shift
    mkdir -p "$dir" || return 1
    (cd "$dir" && timeout 60 "$RDMARUN" spec) || { echo "rdmarun spec failed in $dir" >&2; return 1; }
    args=$(jq -cn '$ARGS.positional' --args -- "$@")
    edit "$dir" ".process.terminal = false | .process.args = $args
        | .ociVersion = \"1.0.2\"
        | .linux.namespaces |= (map(select(.type != \"cgroup\")) + [{\"type\": \"cgroup\"}])
        | .root = {\"path\": \"$HOSTROOT\", \"readonly\": true}
        | .mounts += [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$SHARE\", \"options\": [\"rbind\", \"ro\"]}]
        | .linux.cgroupsPath = \"/$PARENT/$name\""
}

# edit DIR JQ-FILTER: rewrites DIR/config.json.
edit() { jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"; }
host_net() { edit "$WORK/$1" '.linux.namespaces |= map(select(.type != "network"))'; }
annotate() { edit "$WORK/$1" ".annotations[\"$2\"] = \"$3\""; }

# run_fg RUNTIME NAME: runs the container in the foreground; output in $WORK/NAME.out, status in $WORK/NAME.rc.
run_fg() {
    local rc=0
    (cd "$WORK/$2" && rt "$1" run "$2" >"$WORK/$2.out" 2>&1 </dev/null) || rc=$?
    echo $rc >"$WORK/$2.rc"
    rt "$1" delete -f "$2" >/dev/null 2>&1
    return $rc
}
out_of() { cat "$WORK/$1.out"; }

# A shell script run in the container that reports what it can see, one fact per line.
SEE='echo "devices=$(ibv_devices 2>/dev/null | awk "NR>2{print \$1}" | tr "\n" " ")";
     echo "dev=$(ls /dev/infiniband 2>&1 | tr "\n" " ")";
     echo "sys=$(ls /sys/class/infiniband 2>&1 | tr "\n" " ")";
     echo "verbs=$(ls /sys/class/infiniband_verbs 2>&1 | tr "\n" " ")";
     echo "mad=$(ls /sys/class/infiniband_mad 2>&1 | tr "\n" " ")"'

expect_line() { # expect_line CASE NAME LINE: the container's output has exactly LINE
    if grep -qxF -- "$3" "$WORK/$2.out"; then pass "$1"; else fail "$1" "expected '$3', got: $(one_line <"$WORK/$2.out") (rc $(cat "$WORK/$2.rc"))"; fi
}

case_granted_annotation() {
    local n=granted
    new_bundle $n sh -c "$SEE" || { fail granted-annotation "bundle"; return; }
    annotate $n org.rdmarun.rdma.devices rxe0
    run_fg rdmarun $n
    expect_line granted-ibv-devices-lists-rxe0 $n "devices=rxe0 "
    expect_line granted-dev-infiniband-uverbs-and-rdma-cm-only $n "dev=rdma_cm uverbs0 "
    expect_line granted-sys-class-infiniband $n "sys=rxe0 "
    expect_line granted-sys-class-infiniband-verbs $n "verbs=abi_version uverbs0 "
    expect_line granted-no-mad-entries $n "mad=abi_version "
}

case_granted_env() {
    local n=granted-env
    new_bundle $n sh -c "$SEE" || { fail granted-env "bundle"; return; }
    edit "$WORK/$n" '.process.env += ["RDMA_VISIBLE_DEVICES=rxe0"]'
    run_fg rdmarun $n
    expect_line granted-env-ibv-devices-lists-rxe0 $n "devices=rxe0 "
}

# runtime: rdmarun hides everything; runc/crun show sysfs entries (the leak rdmarun closes).
case_ungranted() {
    local r=$1 n=ungranted-$1
    new_bundle $n sh -c "$SEE" || { fail ungranted-$r "bundle"; return; }
    run_fg "$r" $n
    expect_line ungranted-$r-ibv-devices-empty $n "devices="
    if grep -q "^dev=.*No such file" "$WORK/$n.out"; then pass ungranted-$r-no-dev-infiniband; else fail ungranted-$r-no-dev-infiniband "$(grep ^dev= "$WORK/$n.out")"; fi
    if [[ $r == rdmarun ]]; then
        expect_line ungranted-rdmarun-sys-class-infiniband-empty $n "sys="
        expect_line ungranted-rdmarun-verbs-only-abi-version $n "verbs=abi_version "
    else
        # Not a failure of the suite: what runc and crun users get today.
        if grep -qxF "sys=rxe0 " "$WORK/$n.out"; then pass "ungranted-$r-sysfs-still-lists-rxe0 (known gap)"; else fail ungranted-$r-sysfs "$(grep ^sys= "$WORK/$n.out")"; fi
    fi
}

case_ungranted_policy_off() {
    local n=policy-off
    echo '{"hideUngranted": false}' >"$WORK/policy-off.json"
    new_bundle $n sh -c "$SEE" || { fail ungranted-policy-off "bundle"; return; }
    (cd "$WORK/$n" && timeout 90 "$RDMARUN" --root /run/rdma-suite-rdmarun --rdma-policy "$WORK/policy-off.json" run $n >"$WORK/$n.out" 2>&1 </dev/null)
    echo $? >"$WORK/$n.rc"
    expect_line ungranted-policy-off-shows-sysfs $n "sys=rxe0 "
}

case_refusal() {
    local n=refused out
    new_bundle $n true || { fail refusal "bundle"; return; }
    annotate $n org.rdmarun.rdma.devices mlx5_0
    out=$(cd "$WORK/$n" && rt rdmarun create $n 2>&1)
    if [[ $? != 0 && $out == *"rdma: device mlx5_0 (from annotation org.rdmarun.rdma.devices) is not present on this host (present: rxe0)"* ]] \
        && [[ ! -d /run/rdma-suite-rdmarun/$n && ! -d /sys/fs/cgroup/$PARENT/$n ]]; then
        pass refusal-absent-device-leaves-nothing
    else
        fail refusal-absent-device-leaves-nothing "$(one_line <<<"$out")"
    fi
}

# Server and client in two containers sharing the lab's netns (the TCP side channel needs it).
case_pingpong() {
    local r=$1 s=pp-server-$1 c=pp-client-$1 srv rc=1
    new_bundle $s ibv_rc_pingpong -d rxe0 -g 1 -n 200 || { fail pingpong-$r "bundle"; return; }
    new_bundle $c sh -c 'for i in $(seq 1 30); do ibv_rc_pingpong -d rxe0 -g 1 -n 200 127.0.0.1 && exit 0; sleep 0.5; done; exit 1' || { fail pingpong-$r "bundle"; return; }
    host_net $s
    host_net $c
    grant $r $s
    grant $r $c
    run_fg "$r" $s &
    srv=$!
    run_fg "$r" $c && rc=0
    wait $srv
    if [[ $rc == 0 && $(cat "$WORK/$s.rc") == 0 ]] && grep -q 'iters in' "$WORK/$c.out"; then
        pass pingpong-$r
    else
        fail pingpong-$r "client: $(one_line <"$WORK/$c.out") | server: $(one_line <"$WORK/$s.out")"
    fi
}

# grant RUNTIME NAME: rdmarun by annotation; runc/crun by listing the nodes and rules by hand.
grant() {
    if [[ $1 == rdmarun ]]; then
        annotate "$2" org.rdmarun.rdma.devices rxe0
    else
        local cm
        cm=$(cat /sys/class/misc/rdma_cm/dev)
        edit "$WORK/$2" ".linux.devices += [
            {\"path\": \"/dev/infiniband/uverbs0\", \"type\": \"c\", \"major\": 231, \"minor\": 192, \"fileMode\": 438},
            {\"path\": \"/dev/infiniband/rdma_cm\", \"type\": \"c\", \"major\": ${cm%%:*}, \"minor\": ${cm##*:}, \"fileMode\": 438}]
          | .linux.resources.devices += [{\"allow\": true, \"type\": \"c\", \"major\": 231, \"minor\": 192, \"access\": \"rwm\"},
            {\"allow\": true, \"type\": \"c\", \"major\": ${cm%%:*}, \"minor\": ${cm##*:}, \"access\": \"rwm\"}]"
    fi
}

case_hca_limit() {
    local r=$1 n=limit-$1
    new_bundle $n sh -c '/mnt/verbs-probe rxe0 contexts 2; echo "max=$(sed "s/[[:space:]]*\$//" /sys/fs/cgroup/rdma.max)"' || { fail hca-limit-$r "bundle"; return; }
    grant "$r" $n
    edit "$WORK/$n" '.linux.resources.rdma = {"rxe0": {"hcaHandles": 1}}'
    run_fg "$r" $n
    if [[ $r == crun ]]; then
        # crun applies linux.resources.rdma only through "unified": both contexts open.
        expect_line "hca-limit-crun-ignores-rdma (known gap)" $n "context 2: ok"
        return
    fi
    expect_line hca-limit-$r-second-context-fails $n "context 1: ok"
    if grep -q "^context 2: errno 11 " "$WORK/$n.out"; then pass hca-limit-$r-errno-eagain; else fail hca-limit-$r-errno-eagain "$(one_line <"$WORK/$n.out")"; fi
    expect_line hca-limit-$r-rdma-max $n "max=rxe0 hca_handle=1 hca_object=max"
}

# events --stats of a granted container with hcaHandles 1 whose verbs program (a pingpong server, its client on
# the lab host) holds the one context: a second context fails, rdma.current shows the use, the container's QP
# (not the client's) is counted on rxe0 port 1, and rxe, which has no QP counter binding, is named as such.
case_events_stats() {
    local n=events-stats j="" i mode_before mode_after cpid
    new_bundle $n ibv_rc_pingpong -d rxe0 -g 1 -n 100000000 || { fail events-stats "bundle"; return; }
    host_net $n
    grant rdmarun $n
    edit "$WORK/$n" '.linux.resources.rdma = {"rxe0": {"hcaHandles": 1}}'
    mode_before=$(rdma statistic qp mode link rxe0/1 2>&1)
    (cd "$WORK/$n" && rt rdmarun run -d $n >"$WORK/$n.out" 2>&1 </dev/null) || { fail events-stats "run -d: $(one_line <"$WORK/$n.out")"; rt rdmarun delete -f $n >/dev/null 2>&1; return; }
    # Its own process group (setsid), so the retry loop and the client stop together at the end.
    setsid sh -c 'for i in $(seq 1 30); do ibv_rc_pingpong -d rxe0 -g 1 -n 100000000 127.0.0.1 && exit 0; sleep 0.5; done' >"$WORK/$n.client" 2>&1 &
    cpid=$!
    # Until both QPs are connected (the container's is the one counted); at most ~60 s under TCG.
    for i in $(seq 1 60); do
        j=$(rt rdmarun events --stats $n 2>&1)
        [[ $(jq -r '.data.rdma.rxe0.ports."1".qps // 0' <<<"$j" 2>/dev/null) -ge 1 ]] && break
        sleep 1
    done
    mode_after=$(rdma statistic qp mode link rxe0/1 2>&1)
    if [[ $(jq -c '.data.rdma.rxe0 | {hcaHandles, hcaHandlesLimit}' <<<"$j" 2>/dev/null) == '{"hcaHandles":1,"hcaHandlesLimit":1}' ]] \
        && [[ $(jq -r '.data.rdma.rxe0.hcaObjects' <<<"$j") -ge 3 ]]; then
        pass events-stats-rdma-current
    else
        fail events-stats-rdma-current "$j"
    fi
    expect_json events-stats-container-qp-only "$j" '.data.rdma.rxe0.ports' '{"1":{"qps":1}}'
    expect_json events-stats-rxe-counters-not-supported "$j" '.data.rdma.rxe0.countersUnavailable' '"counters not supported by rxe"'
    expect_json events-stats-runc-shape-kept "$j" '[.type, (.data | has("cpu") and has("memory") and has("pids"))]' '["stats",true]'
    if [[ $mode_after == "$mode_before" ]]; then pass events-stats-port-counter-mode-unchanged; else fail events-stats-port-counter-mode-unchanged "before: $mode_before | after: $mode_after"; fi
    local second
    second=$(rt rdmarun exec $n /mnt/verbs-probe rxe0 contexts 1 2>&1)
    if grep -q "^context 1: errno 11 " <<<"$second"; then pass events-stats-second-context-fails; else fail events-stats-second-context-fails "$(one_line <<<"$second")"; fi
    kill -- -$cpid 2>/dev/null
    wait $cpid 2>/dev/null
    rt rdmarun delete -f $n >/dev/null 2>&1
    [[ -e /sys/fs/cgroup/$PARENT/$n ]] && fail events-stats-cleanup "cgroup $PARENT/$n left behind"
}

# expect_json CASE JSON FILTER EXPECTED: jq -c FILTER of JSON is exactly EXPECTED.
expect_json() {
    local got
    got=$(jq -c "$3" <<<"$2" 2>&1)
    if [[ $got == "$4" ]]; then pass "$1"; else fail "$1" "$3 is $got, expected $4 (events: $(one_line <<<"$2"))"; fi
}

case_memlock() {
    local r=$1 n=memlock-$1
    new_bundle $n /mnt/rdma-mr-probe rxe0 64 || { fail memlock-$r "bundle"; return; }
    edit "$WORK/$n" '.process.user = {"uid": 65534, "gid": 65534}'
    grant "$r" $n
    # runc/crun get the limit by hand (2^62: jq's doubles cannot hold 2^64-1); rdmarun raises it from the grant.
    [[ $r == rdmarun ]] || edit "$WORK/$n" '.process.rlimits = [{"type": "RLIMIT_MEMLOCK", "soft": 4611686018427387904, "hard": 4611686018427387904}]'
    run_fg "$r" $n
    expect_line memlock-$r-nonroot-64mib-mr $n "mr 64 MiB: ok"
}

# Control: the same non-root registration under a 1 MiB grant must fail, or the memlock case proves nothing.
case_memlock_control() {
    local n=memlock-small
    new_bundle $n /mnt/rdma-mr-probe rxe0 64 || { fail memlock-control "bundle"; return; }
    edit "$WORK/$n" '.process.user = {"uid": 65534, "gid": 65534}'
    annotate $n org.rdmarun.rdma.devices rxe0
    annotate $n org.rdmarun.rdma.memlock 1m
    run_fg rdmarun $n
    if grep -q "^mr 64 MiB: errno 12 " "$WORK/$n.out" && grep -qxF "memlock soft 1048576 hard 1048576" "$WORK/$n.out"; then
        pass memlock-control-1mib-grant-refuses-64mib
    else
        fail memlock-control-1mib-grant-refuses-64mib "$(one_line <"$WORK/$n.out")"
    fi
}

# Exclusive netns mode: rxe has no disassociate_ucontext, so the move fails; create must say so
# and leave nothing (no state, no cgroup, no process, rxe0 still on the host).
case_exclusive_move_refused() {
    local n=excl out rc=0
    new_bundle $n sleep 100 || { fail exclusive "bundle"; return; }
    annotate $n org.rdmarun.rdma.devices rxe0
    out=$(cd "$WORK/$n" && rt rdmarun create $n 2>&1) || rc=$?
    local want="rdma: cannot move device rxe0 (driver rxe) into the container's network namespace: operation not supported; the driver cannot disassociate user contexts"
    if [[ $rc != 0 && $out == *"$want"* ]]; then pass exclusive-move-fails-with-clear-error; else fail exclusive-move-fails-with-clear-error "rc $rc: $(one_line <<<"$out")"; fi
    if [[ ! -e /run/rdma-suite-rdmarun/$n && ! -e /sys/fs/cgroup/$PARENT/$n ]]; then pass exclusive-nothing-left; else fail exclusive-nothing-left "state or cgroup left behind"; fi
    if pgrep -f "sleep 100" >/dev/null; then fail exclusive-no-process-left "$(pgrep -af 'sleep 100')"; else pass exclusive-no-process-left; fi
    if rdma dev show rxe0 >/dev/null 2>&1; then pass exclusive-rxe0-still-on-host; else fail exclusive-rxe0-still-on-host "$(rdma dev 2>&1 | one_line)"; fi
}

case_exclusive_ungranted() {
    local n=excl-none
    new_bundle $n sh -c "$SEE" || { fail exclusive-ungranted "bundle"; return; }
    run_fg rdmarun $n
    expect_line exclusive-ungranted-ibv-devices-empty $n "devices="
    expect_line exclusive-ungranted-sys-class-infiniband-empty $n "sys="
}

# with_hook NAME RUNTIME: the bundle calls `rdmarun rdma-hook` at createRuntime, createContainer and poststop,
# as a runc or crun user would write it into config.json (README "RDMA with plain runc or crun").
with_hook() {
    edit "$WORK/$1" ".hooks = {
        \"createRuntime\": [{\"path\": \"$RDMARUN\", \"args\": [\"rdmarun\", \"rdma-hook\", \"createRuntime\"]}],
        \"createContainer\": [{\"path\": \"$RDMARUN\", \"args\": [\"rdmarun\", \"rdma-hook\", \"createContainer\"]}],
        \"poststop\": [{\"path\": \"$RDMARUN\", \"args\": [\"rdmarun\", \"rdma-hook\", \"poststop\"]}]}"
}

# The hook with plain runc/crun while the host has two devices (rxe0 on veth0, rxe1 on veth1): the bundle
# lists rxe0's nodes, so the container must see rxe0 and only rxe0, and open a verbs context on it.
case_hook() {
    local r=$1 n=hook-$1 u=hook-none-$1
    new_bundle $n sh -c "$SEE; /mnt/verbs-probe rxe0 contexts 1" || { fail hook-$r "bundle"; return; }
    grant "$r" $n
    with_hook $n
    run_fg "$r" $n
    expect_line hook-$r-ibv-devices-lists-only-rxe0 $n "devices=rxe0 "
    expect_line hook-$r-sys-class-infiniband-only-rxe0 $n "sys=rxe0 "
    expect_line hook-$r-verbs-only-uverbs0 $n "verbs=abi_version uverbs0 "
    expect_line hook-$r-no-mad-entries $n "mad=abi_version "
    expect_line hook-$r-verbs-context-opens $n "context 1: ok"
    new_bundle $u sh -c "$SEE" || { fail hook-none-$r "bundle"; return; }
    with_hook $u
    run_fg "$r" $u
    expect_line hook-$r-ungranted-sys-class-infiniband-empty $u "sys="
    expect_line hook-$r-ungranted-ibv-devices-empty $u "devices="
}

# `rdmarun cdi generate` on the lab: rxe0's CDI device names its uverbs node with the numbers the kernel gave
# it, rdma_cm comes with every device, and the hooks call this binary.
case_cdi() {
    local spec want cm rc=0
    spec=$("$RDMARUN" cdi generate 2>&1) || rc=$?
    if [[ $rc != 0 ]]; then fail cdi-generate "rc $rc: $(one_line <<<"$spec")"; return; fi
    want="/dev/infiniband/uverbs0 c $((16#$(stat -c %t /dev/infiniband/uverbs0))):$((16#$(stat -c %T /dev/infiniband/uverbs0)))"
    got=$(jq -r '.devices[] | select(.name == "rxe0") | .containerEdits.deviceNodes[] | "\(.path) \(.type) \(.major):\(.minor)"' <<<"$spec")
    if [[ $got == "$want" ]]; then pass cdi-rxe0-names-uverbs0; else fail cdi-rxe0-names-uverbs0 "want '$want', got '$(one_line <<<"$got")'"; fi
    got=$(jq -r '[.devices[].name] | join(" ")' <<<"$spec")
    if [[ $got == "rxe0 all" ]]; then pass cdi-devices-rxe0-and-all; else fail cdi-devices-rxe0-and-all "got '$got'"; fi
    cm=$(cat /sys/class/misc/rdma_cm/dev)
    got=$(jq -r '.containerEdits.deviceNodes[] | "\(.path) \(.major):\(.minor)"' <<<"$spec")
    if [[ $got == "/dev/infiniband/rdma_cm $cm" ]]; then pass cdi-rdma-cm-global; else fail cdi-rdma-cm-global "want rdma_cm $cm, got '$(one_line <<<"$got")'"; fi
    got=$(jq -r '[.containerEdits.hooks[] | "\(.hookName)=\(.path)"] | join(" ")' <<<"$spec")
    if [[ $got == "createRuntime=$RDMARUN createContainer=$RDMARUN poststop=$RDMARUN" ]]; then pass cdi-hooks-call-this-binary; else fail cdi-hooks-call-this-binary "got '$got'"; fi
    if [[ $(jq -r '.devices[] | select(.name == "rxe0") | .containerEdits.deviceNodes[].path' <<<"$spec") != *umad* ]]; then pass cdi-no-umad-by-default; else fail cdi-no-umad-by-default "umad listed"; fi
}

# Exclusive mode through the hook: runc's create fails with the hook's clear error (rxe cannot move) and
# leaves rxe0 on the host and no record behind.
case_exclusive_hook() {
    local n=excl-hook out rc=0
    new_bundle $n sleep 100 || { fail exclusive-hook "bundle"; return; }
    grant runc $n
    with_hook $n
    out=$(cd "$WORK/$n" && rt runc create $n 2>&1) || rc=$?
    rt runc delete -f $n >/dev/null 2>&1
    local want="rdma: cannot move device rxe0 (driver rxe) into the container's network namespace: operation not supported"
    if [[ $rc != 0 && $out == *"$want"* ]]; then pass exclusive-hook-runc-move-fails-with-clear-error; else fail exclusive-hook-runc-move-fails-with-clear-error "rc $rc: $(one_line <<<"$out")"; fi
    if rdma dev show rxe0 >/dev/null 2>&1 && [[ -z $(ls /run/rdmarun/rdma-hook 2>/dev/null) ]]; then pass exclusive-hook-rxe0-on-host-no-record; else fail exclusive-hook-rxe0-on-host-no-record "$(rdma dev 2>&1 | one_line); records: $(ls /run/rdmarun/rdma-hook 2>&1 | one_line)"; fi
}

guest_main() {
    SHARE=$1
    local mode=${2:-shared} out
    WORK=$(mktemp -d /run/rdma-suite.XXXXXX)
    HOSTROOT=$WORK/hostroot
    RDMARUN=${RDMARUN_BIN:-$RDMARUN}
    # Run directly in the lab (no host side): build the probes here, slowly.
    local p
    for p in verbs-probe rdma-mr-probe; do
        [[ -x $SHARE/$p ]] || gcc -O2 -o "$SHARE/$p" "$LAB_DIR/$p.c" -libverbs || echo "rdma-suite: cannot build $p" >&2
    done
    mkdir -p "$HOSTROOT" && mount --bind / "$HOSTROOT" && mount -o remount,bind,ro "$HOSTROOT" \
        || { fail setup "cannot bind / read-only at $HOSTROOT"; echo "$passed passed, $failed failed" | tee "$SHARE/summary"; return 1; }
    if [[ $mode == exclusive ]]; then
        out=$(rdma system set netns exclusive 2>&1) && [[ $(rdma system show) == *"netns exclusive"* ]] \
            && pass exclusive-mode-set || fail exclusive-mode-set "$(one_line <<<"$out")"
        case_exclusive_move_refused
        case_exclusive_ungranted
        case_exclusive_hook
    else
        case_granted_annotation
        case_granted_env
        case_refusal
        case_ungranted_policy_off
        case_memlock_control
        local r
        for r in rdmarun runc crun; do
            case_ungranted $r
            case_pingpong $r
            case_hca_limit $r
            case_memlock $r
        done
        case_cdi
        case_events_stats
        # Last: a second device for the hook cases, so "only the granted one" can fail.
        if out=$(rdma link add rxe1 type rxe netdev veth1 2>&1); then
            for r in runc crun; do case_hook $r; done
            rdma link delete rxe1 >/dev/null 2>&1 || fail hook-cleanup "rdma link delete rxe1 failed"
        else
            fail hook-second-device "rdma link add rxe1: $(one_line <<<"$out")"
        fi
    fi
    umount "$HOSTROOT" 2>/dev/null
    echo "$passed passed, $failed failed" | tee "$SHARE/summary"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
    shift
    guest_main "$@"
elif [[ $(hostname) == kernel-lab ]]; then
    guest_main "$(mktemp -d /tmp/rdma-suite-share.XXXXXX)" "${1:-shared}"
else
    host_main "$@"
fi
