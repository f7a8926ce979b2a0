# Docker cases, run once per runtime ($RT: rdmarun or runc) against the private dockerd.
# Each function is one case; it prints what it saw and returns non-zero on a mismatch.
IMG=rdmarun-e2e/busybox:latest

d() { t "$ENG_DOCKER" "$@"; }
drun() { d run --pull never --runtime "$RT" "$@"; }
# A container name unique per runtime and case, removed before use (a re-run starts clean).
cname() { local n="e2e-$RT-$1"; d rm -f "$n" >/dev/null 2>&1; echo "$n"; }
insp() { d inspect -f "$1" "$2"; }
cid_of() { insp '{{.Id}}' "$1"; }
# The host's cgroup version: this host's suite runs on v1 (hybrid), rdma-lab.sh's on v2.
cg_v2() { [ -f /sys/fs/cgroup/cgroup.controllers ]; }
# The container's cgroup directory on the host (cgroupfs driver, our cgroup parent) for a v1
# controller; on v2 the one unified directory.
host_cg() { # controller id
    if cg_v2; then echo "/sys/fs/cgroup/$ENG_CGROUP_PARENT/docker/$2"; else echo "/sys/fs/cgroup/$1/$ENG_CGROUP_PARENT/docker/$2"; fi
}
# The same file as the container sees it (its own cgroup namespace on v2).
inside_cg() { if cg_v2; then echo "/sys/fs/cgroup/$2"; else echo "/sys/fs/cgroup/$1/$2"; fi; }
logs_have() { d logs "$1" 2>&1 | grep -q -- "$2"; }
running() { [ "$(insp '{{.State.Running}}' "$1")" = true ]; }
not_running() { [ "$(insp '{{.State.Running}}' "$1")" = false ]; }

docker_exit_code() {
    drun --rm "$IMG" sh -c 'exit 3'; local rc=$?
    expect_eq "exit status of sh -c 'exit 3'" 3 "$rc" || return 1
    drun --rm "$IMG" false; rc=$?
    expect_eq "exit status of false" 1 "$rc"
}

# A missing executable: docker maps the runtime's JSON log error to 127 and shows its message.
docker_missing_exec_error() {
    local err rc
    err=$(drun --rm "$IMG" /no/such/binary 2>&1 >/dev/null); rc=$?
    echo "$err"
    expect_eq "exit status" 127 "$rc" && expect_match "docker's error" "/no/such/binary" "$err"
}

docker_stdout_stderr() {
    local out err
    out=$(drun --rm "$IMG" sh -c 'echo to-out; echo to-err >&2' 2>"$ENG_TMP/err")
    err=$(cat "$ENG_TMP/err")
    expect_eq stdout to-out "$out" && expect_eq stderr to-err "$err"
}

docker_logs() {
    local n; n=$(cname logs)
    drun -d --name "$n" "$IMG" sh -c 'echo log-out; echo log-err >&2' >/dev/null || return 1
    expect_eq "docker wait" 0 "$(d wait "$n")" || return 1
    expect_eq "logs stdout" log-out "$(d logs "$n" 2>/dev/null)" &&
        expect_eq "logs stderr" log-err "$(d logs "$n" 2>&1 >/dev/null)"
    local rc=$?; d rm "$n" >/dev/null; return $rc
}

docker_run_tty() {
    local out rc
    out=$(with_tty "$ENG_DOCKER run --pull never --rm -it --runtime $RT $IMG sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; exit 5'"); rc=$?
    echo "$out"
    expect_eq "exit status" 5 "$rc" && expect_match "tty output" "/dev/pts/[0-9]+" "$out" &&
        expect_match "stdin" "stdin-is-tty" "$out"
}

# Typed input reaches the shell through the pty, its output comes back.
docker_run_tty_input() {
    local out rc
    out=$(with_tty "$ENG_DOCKER run --pull never --rm -it --runtime $RT $IMG sh" $'echo typed-$((6*7))\nexit 6\n'); rc=$?
    echo "$out"
    expect_eq "exit status" 6 "$rc" && expect_match "shell output" "typed-42" "$out"
}

docker_detach() {
    local n pid; n=$(cname detach)
    drun -d --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    wait_for 20 running "$n" || fail "not running: $(insp '{{json .State}}' "$n")" || return 1
    pid=$(insp '{{.State.Pid}}' "$n")
    expect_match "host process of the container" "sleep 300" "$(tr '\0' ' ' </proc/"$pid"/cmdline)"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

docker_exec() {
    local n out rc; n=$(cname exec)
    drun -d --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    out=$(d exec "$n" sh -c 'echo e-$((2+3)); echo e-err >&2; exit 4' 2>"$ENG_TMP/err"); rc=$?
    expect_eq "exec exit status" 4 "$rc" && expect_eq "exec stdout" e-5 "$out" &&
        expect_eq "exec stderr" e-err "$(cat "$ENG_TMP/err")" &&
        expect_match "exec sees the container's processes" "sleep 300" "$(d exec "$n" ps)" &&
        expect_eq "exec --user" 65534 "$(d exec -u nobody "$n" id -u)" &&
        expect_eq "exec -e" v1 "$(d exec -e E2E=v1 "$n" sh -c 'echo $E2E')"
    rc=$?; d rm -f "$n" >/dev/null; return $rc
}

docker_exec_tty() {
    local n out rc; n=$(cname exectty)
    drun -d --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    out=$(with_tty "$ENG_DOCKER exec -it $n sh -c 'tty; exit 3'"); rc=$?
    echo "$out"
    expect_eq "exit status" 3 "$rc" && expect_match "tty" "/dev/pts/[0-9]+" "$out"
    rc=$?; d rm -f "$n" >/dev/null; return $rc
}

docker_pause() {
    local n id fz frozen=FROZEN thawed=THAWED; n=$(cname pause)
    drun -d --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    id=$(cid_of "$n"); fz=$(host_cg freezer "$id")/freezer.state
    if cg_v2; then fz=$(host_cg freezer "$id")/cgroup.freeze frozen=1 thawed=0; fi
    d pause "$n" >/dev/null || return 1
    expect_eq "State.Paused" true "$(insp '{{.State.Paused}}' "$n")" &&
        expect_eq "$fz" "$frozen" "$(cat "$fz")" &&
        d unpause "$n" >/dev/null &&
        expect_eq "State.Paused after unpause" false "$(insp '{{.State.Paused}}' "$n")" &&
        expect_eq "$fz after unpause" "$thawed" "$(cat "$fz")" &&
        expect_eq "exec after unpause" ok "$(d exec "$n" echo ok)"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# docker stop sends SIGTERM; a process that handles it exits with its own status.
docker_stop_term() {
    local n; n=$(cname stopterm)
    drun -d --name "$n" "$IMG" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null || return 1
    wait_for 20 logs_have "$n" ready || fail "never printed ready" || return 1
    d stop -t 30 "$n" >/dev/null || return 1
    expect_eq ExitCode 7 "$(insp '{{.State.ExitCode}}' "$n")" && expect_match logs got-term "$(d logs "$n" 2>&1)"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# A process ignoring SIGTERM is killed with SIGKILL after the timeout.
docker_stop_kill() {
    local n; n=$(cname stopkill)
    drun -d --name "$n" "$IMG" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null || return 1
    wait_for 20 logs_have "$n" ready || fail "never printed ready" || return 1
    d stop -t 1 "$n" >/dev/null || return 1
    expect_eq ExitCode 137 "$(insp '{{.State.ExitCode}}' "$n")"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

docker_kill() {
    local n; n=$(cname kill)
    drun -d --name "$n" "$IMG" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null || return 1
    wait_for 20 logs_have "$n" ready || fail "never printed ready" || return 1
    d kill -s USR1 "$n" >/dev/null || return 1
    wait_for 20 logs_have "$n" got-usr1 || fail "USR1 not delivered: $(d logs "$n" 2>&1)" || return 1
    running "$n" || fail "stopped after USR1" || return 1
    d kill "$n" >/dev/null || return 1
    wait_for 20 not_running "$n" || fail "still running after docker kill" || return 1
    expect_eq ExitCode 137 "$(insp '{{.State.ExitCode}}' "$n")"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

docker_restart() {
    local n p1 p2; n=$(cname restart)
    drun -d --name "$n" "$IMG" sh -c 'echo started; touch /tmp/kept; sleep 300' >/dev/null || return 1
    wait_for 20 running "$n" || return 1
    p1=$(insp '{{.State.Pid}}' "$n")
    d restart -t 1 "$n" >/dev/null || return 1
    wait_for 20 running "$n" || fail "not running after restart" || return 1
    p2=$(insp '{{.State.Pid}}' "$n")
    [ "$p1" != "$p2" ] || fail "same pid $p1 after restart" || return 1
    wait_for 20 sh -c "[ \$($ENG_DOCKER logs $n 2>&1 | grep -c started) = 2 ]" || fail "logs: $(d logs "$n" 2>&1)" || return 1
    expect_eq "file from the first run" ok "$(d exec "$n" sh -c '[ -e /tmp/kept ] && echo ok')"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# --restart on-failure:2: dockerd restarts the failing container twice through the runtime.
docker_restart_policy() {
    local n; n=$(cname restartpol)
    drun -d --restart on-failure:2 --name "$n" "$IMG" sh -c 'exit 1' >/dev/null || return 1
    wait_for 40 sh -c "[ \"\$($ENG_DOCKER inspect -f '{{.RestartCount}} {{.State.Running}} {{.State.Restarting}}' $n)\" = '2 false false' ]" ||
        fail "after 40 s: $(insp '{{.RestartCount}} {{json .State}}' "$n")"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# --rm: the container, its runtime state and its cgroups are gone when run returns.
docker_rm_cleanup() {
    local n id; n=$(cname rm)
    drun --rm --name "$n" "$IMG" sh -c 'cat /proc/self/cgroup' >"$ENG_TMP/cg" || return 1
    wait_for 20 sh -c "! $ENG_DOCKER inspect $n" || fail "container $n still exists" || return 1
    id=$(sed -nE 's#.*/docker/([0-9a-f]{64}).*#\1#p' "$ENG_TMP/cg" | head -1)
    [ -n "$id" ] || fail "no container id in /proc/self/cgroup: $(cat "$ENG_TMP/cg")" || return 1
    local left
    left=$(find "$ENG_TMP/docker/exec" /sys/fs/cgroup/*/"$ENG_CGROUP_PARENT" -name "$id*" 2>/dev/null)
    expect_eq "runtime state and cgroups left for $id" "" "$left"
}

# A limit is checked where the container sees it and where the host enforces it.
cg_limit_case() { # controller file expected docker-run-flags...
    local ctl=$1 file=$2 want=$3; shift 3
    local n id inside; n=$(cname "$ctl")
    drun -d --name "$n" "$@" "$IMG" sleep 300 >/dev/null || return 1
    id=$(cid_of "$n")
    inside=$(d exec "$n" cat "$(inside_cg "$ctl" "$file")")
    expect_eq "$file inside the container" "$want" "$inside" &&
        expect_eq "$file on the host" "$want" "$(cat "$(host_cg "$ctl" "$id")/$file")"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}
docker_memory() {
    if cg_v2; then cg_limit_case memory memory.max 67108864 --memory 64m; else cg_limit_case memory memory.limit_in_bytes 67108864 --memory 64m; fi
}
docker_cpus() {
    if cg_v2; then cg_limit_case cpu cpu.max "50000 100000" --cpus 0.5; return; fi
    cg_limit_case cpu cpu.cfs_quota_us 50000 --cpus 0.5 && cg_limit_case cpu cpu.cfs_period_us 100000 --cpus 0.5
}
docker_pids_limit() { cg_limit_case pids pids.max 20 --pids-limit 20; }
# The three limits in one container (the kernel lab, where every docker command costs seconds of
# emulated CPU): each file where the container sees it and where the host enforces it.
docker_limits() {
    local n id c rc=0; n=$(cname limits)
    drun -d --name "$n" --memory 64m --cpus 0.5 --pids-limit 20 "$IMG" sleep 300 >/dev/null || return 1
    id=$(cid_of "$n")
    local checks=("memory memory.limit_in_bytes 67108864" "cpu cpu.cfs_quota_us 50000" "pids pids.max 20")
    cg_v2 && checks=("memory memory.max 67108864" "cpu cpu.max 50000 100000" "pids pids.max 20")
    for c in "${checks[@]}"; do
        set -- $c; local ctl=$1 file=$2; shift 2
        expect_eq "$file inside the container" "$*" "$(d exec "$n" cat "$(inside_cg "$ctl" "$file")")" &&
            expect_eq "$file on the host" "$*" "$(cat "$(host_cg "$ctl" "$id")/$file")" || rc=1
    done
    d rm -f "$n" >/dev/null; return $rc
}

# docker update goes through the shim to the runtime's `update --resources -`.
docker_update() {
    local n id f; n=$(cname update)
    drun -d --name "$n" --memory 64m "$IMG" sleep 300 >/dev/null || return 1
    id=$(cid_of "$n"); f=$(host_cg memory "$id")/memory.limit_in_bytes
    if cg_v2; then f=$(host_cg memory "$id")/memory.max; fi
    d update --memory 128m --memory-swap 256m "$n" >/dev/null &&
        expect_eq "$f after docker update" 134217728 "$(cat "$f")" &&
        d update --pids-limit 33 "$n" >/dev/null &&
        expect_eq "pids.max after docker update" 33 "$(cat "$(host_cg pids "$id")/pids.max")"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# A block device outside Docker's default device rules (a loop device): with --device the node
# exists and opens; without it mknod works (CAP_MKNOD) but the device cgroup refuses the open.
docker_device() {
    local dev out
    dev=$(for d in /dev/loop7 /dev/loop0; do [ -b "$d" ] && echo "$d" && break; done)
    [ -n "$dev" ] || skip "no /dev/loop7 or /dev/loop0 on this host"
    local mm; mm=$(stat -c '%t:%T' "$dev")
    out=$(drun --rm --device "$dev:/dev/e2e-blk" "$IMG" sh -c 'stat -c "%t:%T" /dev/e2e-blk; dd if=/dev/e2e-blk of=/dev/null count=1 2>/dev/null && echo opened') || return 1
    expect_eq "device node and open" "$mm opened" "$(echo $out)" || return 1
    out=$(drun --rm "$IMG" sh -c "mknod /tmp/b b $((16#${mm%:*})) $((16#${mm#*:})) && dd if=/tmp/b of=/dev/null count=1 && echo opened" 2>&1)
    echo "$out"
    expect_match "open without --device" "Operation not permitted" "$out" && expect_no_match "open without --device" opened "$out"
}

docker_caps() {
    local eff
    eff=$(drun --rm "$IMG" sh -c 'grep CapEff /proc/self/status') || return 1
    expect_eq "default CapEff (docker's 14 capabilities)" "CapEff:	00000000a80425fb" "$eff" || return 1
    eff=$(drun --rm --cap-drop ALL --cap-add NET_ADMIN "$IMG" sh -c 'grep CapEff /proc/self/status') || return 1
    expect_eq "CapEff with --cap-drop ALL --cap-add NET_ADMIN" "CapEff:	0000000000001000" "$eff" || return 1
    local out
    out=$(drun --rm --cap-drop CHOWN "$IMG" sh -c 'touch /tmp/f; chown 65534 /tmp/f && echo chowned' 2>&1)
    expect_no_match "chown with --cap-drop CHOWN" chowned "$out"
}

docker_read_only() {
    local out
    out=$(drun --rm --read-only "$IMG" sh -c 'touch /e2e-file 2>&1; grep " / " /proc/mounts') || true
    echo "$out"
    expect_match "writing to /" "Read-only file system" "$out" && expect_match "root mount" " ro[ ,]" "$out"
}

docker_user() {
    expect_eq "--user 65534:65534" "65534 65534" "$(drun --rm --user 65534:65534 "$IMG" sh -c 'echo $(id -u) $(id -g)')" &&
        expect_eq "--user nobody" "65534 65534 /home/nobody" "$(drun --rm --user nobody "$IMG" sh -c 'echo $(id -u) $(id -g) $HOME')"
}

docker_no_new_privileges() {
    expect_eq "NoNewPrivs with the option" "NoNewPrivs:	1" "$(drun --rm --security-opt no-new-privileges "$IMG" grep NoNewPrivs /proc/self/status)" &&
        expect_eq "NoNewPrivs without" "NoNewPrivs:	0" "$(drun --rm "$IMG" grep NoNewPrivs /proc/self/status)"
}

# Docker's default profile: filter mode, and it denies unshare(CLONE_NEWUSER) without CAP_SYS_ADMIN.
docker_seccomp_default() {
    local out
    expect_eq "Seccomp" "Seccomp:	2" "$(drun --rm "$IMG" grep '^Seccomp:' /proc/self/status)" || return 1
    out=$(drun --rm "$IMG" sh -c 'unshare -U true && echo unshared' 2>&1); echo "$out"
    expect_no_match "unshare -U under the default profile" unshared "$out" || return 1
    expect_eq "Seccomp with seccomp=unconfined" "Seccomp:	0" "$(drun --rm --security-opt seccomp=unconfined "$IMG" grep '^Seccomp:' /proc/self/status)"
}

docker_network_none() {
    local links
    links=$(drun --rm --network none "$IMG" sh -c "ip -o link | awk -F': ' '{print \$2}'") || return 1
    expect_eq "interfaces with --network none" lo "$links"
}

docker_network_host() {
    local inside outside
    inside=$(drun --rm --network host "$IMG" sh -c "ip -o link | awk -F': ' '{print \$2}' | sed 's/@.*//' | sort" | tr '\n' ' ') || return 1
    outside=$(nsenter --net="$ENG_TMP/netns" ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
    expect_eq "interfaces with --network host (the daemon's netns)" "$outside" "$inside"
}

# The default bridge: eth0 gets an address on docker0's subnet; the gateway and a second
# container answer ping.
docker_network_bridge() {
    local n ip gw out; n=$(cname bridge)
    drun -d --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    ip=$(insp '{{.NetworkSettings.IPAddress}}' "$n"); gw=$(insp '{{.NetworkSettings.Gateway}}' "$n")
    [ -n "$ip" ] && [ -n "$gw" ] || fail "no address: ip=[$ip] gateway=[$gw]" || return 1
    out=$(d exec "$n" ip -4 -o addr show eth0); echo "$out"
    expect_match "eth0 inside" "inet $ip/" "$out" || return 1
    out=$(drun --rm "$IMG" sh -c "ping -c 1 -W 5 $gw >/dev/null && echo gw-ok; ping -c 1 -W 5 $ip >/dev/null && echo peer-ok")
    expect_eq "ping the gateway and the first container" "gw-ok peer-ok" "$(echo $out)"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# Bind mounts (rw and ro), a named volume and --tmpfs.
docker_volumes() {
    local dir=$ENG_TMP/vol-$RT out
    mkdir -p "$dir"; echo from-host >"$dir/in"
    out=$(drun --rm -v "$dir:/data" -v "$dir:/ro:ro" -v "e2e-vol-$RT:/named" --tmpfs /scratch:size=1m "$IMG" sh -c \
        'cat /data/in; echo from-container >/data/out; touch /ro/x 2>&1 | grep -o "Read-only file system"; echo v >/named/f && cat /named/f; grep " /scratch " /proc/mounts | cut -d" " -f3') || return 1
    expect_eq "mounts" "from-host Read-only file system v tmpfs" "$(echo $out)" &&
        expect_eq "file written through the bind mount" from-container "$(cat "$dir/out")"
    local rc=$?; d volume rm "e2e-vol-$RT" >/dev/null 2>&1; return $rc
}

# What docker puts in the process and UTS parts of the spec.
docker_process_options() {
    local out
    out=$(drun --rm -e E2E_A=1 -w /tmp --hostname e2e-host --ulimit nofile=100:200 --sysctl net.ipv4.ip_forward=1 "$IMG" sh -c \
        'echo $E2E_A $(pwd) $(hostname) $(ulimit -Sn) $(ulimit -Hn) $(cat /proc/sys/net/ipv4/ip_forward)') || return 1
    expect_eq "env cwd hostname ulimits sysctl" "1 /tmp e2e-host 100 200 1" "$out"
}

# --init: docker bind-mounts its init (tini) and runs it as PID 1.
docker_init() {
    local out
    out=$(drun --rm --init "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline') || return 1
    expect_match "PID 1" "^/sbin/docker-init -- sh" "$out"
}

# Without its own PID namespace the shim kills the container with `kill --all` on stop.
docker_pid_host() {
    local n pid; n=$(cname pidhost)
    drun -d --pid host --name "$n" "$IMG" sh -c 'sleep 301 & sleep 302' >/dev/null || return 1
    wait_for 20 pgrep -f "^sleep 301" || fail "no sleep 301 on the host" || return 1
    pid=$(pgrep -f "^sleep 301" | head -1)
    d rm -f "$n" >/dev/null || return 1
    wait_for 20 sh -c "! kill -0 $pid" || fail "process $pid of the container survived docker rm -f"
}

# exec -d: the shim's `exec --detach`.
docker_exec_detach() {
    local n; n=$(cname execd)
    drun -d --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    d exec -d "$n" sh -c 'echo bg >/tmp/bg' || return 1
    wait_for 20 sh -c "$ENG_DOCKER exec $n cat /tmp/bg | grep -q bg" || fail "detached exec did not run"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# Over the memory limit the kernel kills the process; docker learns it from the cgroup (OOMKilled).
docker_oom() {
    local n; n=$(cname oom)
    drun -d --name "$n" --memory 16m --memory-swap 16m "$IMG" sh -c 'tail /dev/zero' >/dev/null || return 1
    expect_eq "docker wait" 137 "$(d wait "$n")" &&
        expect_eq "State.OOMKilled" true "$(insp '{{.State.OOMKilled}}' "$n")"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# Capability names by number (linux/capability.h), for masks as /proc/PID/status shows them.
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
    NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE
    SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL
    SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
cap_mask() { # CAP_NAME... -> 016x mask
    local m=0 c i
    for c; do for i in "${!CAP_NAMES[@]}"; do [ "CAP_${CAP_NAMES[$i]}" = "$c" ] && m=$((m | (1 << i))); done; done
    printf '%016x' "$m"
}
# The OCI spec dockerd's containerd handed the runtime (its bundle under the exec root).
bundle_spec() { find "$ENG_DOCKER_EXEC" -path "*/$1/config.json" 2>/dev/null | head -1; }

# --privileged: every host device, no seccomp, no masked /proc paths, /sys writable, and exactly
# the capabilities docker asked for in the spec (docker 20.10 asks for those it knows, which may
# be fewer than the kernel has).
docker_privileged() {
    local out bnd full n id spec asked
    # A runtime cannot grant a capability outside its own bounding set.
    bnd=$(grep CapBnd /proc/self/status | cut -f2)
    full=$(printf '%016x' $(( (1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1 )))
    [ "$bnd" = "$full" ] || skip "this host's bounding set is $bnd, not $full: --privileged fails with runc too (capset EPERM)"
    n=$(cname privileged)
    drun -d --privileged --name "$n" "$IMG" sleep 300 >/dev/null || return 1
    id=$(cid_of "$n"); spec=$(bundle_spec "$id")
    [ -n "$spec" ] || { fail "no config.json for $id under $ENG_DOCKER_EXEC"; d rm -f "$n" >/dev/null; return 1; }
    asked=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["process"]["capabilities"]["effective"]))' "$spec")
    echo "docker asked for: $asked"
    out=$(d exec "$n" sh -c 'grep "^Seccomp:" /proc/1/status; grep CapEff /proc/1/status;
        ls /dev | grep -c "^loop[0-9]"; head -c 1 /proc/kcore >/dev/null 2>&1 && echo kcore-readable; grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1')
    echo "$out"
    local loops; loops=$(ls /dev | grep -c '^loop[0-9]')
    expect_match "capabilities docker asked for" "CAP_SYS_ADMIN .*CAP_SYS_MODULE|CAP_SYS_MODULE .*CAP_SYS_ADMIN" "$asked" &&
        expect_eq "privileged facts of PID 1" "Seccomp: 0 CapEff: $(cap_mask $asked) $loops kcore-readable rw" "$(echo $out)"
    local rc=$?; d rm -f "$n" >/dev/null; return $rc
}

# A capability outside the caller's bounding set: create fails (docker says "OCI runtime create
# failed"), not the container after start.
docker_cap_not_held() {
    local bnd i cap out rc
    bnd=$((16#$(grep CapBnd /proc/self/status | cut -f2)))
    for i in $(seq 0 "$(cat /proc/sys/kernel/cap_last_cap)"); do (( bnd & (1 << i) )) || { cap=$i; break; }; done
    [ -n "${cap:-}" ] || skip "this host's bounding set is full: no capability to ask for that cannot be held"
    out=$(drun --rm --cap-add "${CAP_NAMES[$cap]}" "$IMG" echo ran 2>&1); rc=$?
    echo "$out"
    [ $rc -ne 0 ] || fail "the container ran with CAP_${CAP_NAMES[$cap]}" || return 1
    expect_match "docker's error" "OCI runtime create failed" "$out" && expect_no_match "output" "^ran" "$out"
}

# Eight containers created at once through one daemon: each gets its own output and status.
docker_parallel() {
    local i pids=() bad=0
    for i in 1 2 3 4 5 6 7 8; do
        drun --rm "$IMG" sh -c "echo p-$i; exit $i" >"$ENG_TMP/par-$i" 2>&1 &
        pids+=($!)
    done
    for i in 1 2 3 4 5 6 7 8; do
        wait "${pids[$((i - 1))]}"; local rc=$?
        [ "$rc" = "$i" ] && [ "$(cat "$ENG_TMP/par-$i")" = "p-$i" ] ||
            { echo "container $i: exit $rc, output [$(cat "$ENG_TMP/par-$i")]"; bad=1; }
    done
    return $bad
}

DOCKER_CASES="exit_code missing_exec_error stdout_stderr logs run_tty run_tty_input detach exec exec_tty
exec_detach volumes process_options init pid_host pause stop_term stop_kill kill restart restart_policy rm_cleanup memory oom cpus pids_limit update device privileged cap_not_held caps
read_only user no_new_privileges seccomp_default network_none network_host network_bridge parallel"

docker_cases() { # RUNTIME
    RT=$1
    local c
    for c in $DOCKER_CASES; do case_run "docker/$RT/${c//_/-}" "docker_$c"; done
}

# The image: the busybox rootfs tar imported locally (no registry).
docker_import() {
    d import --change 'CMD ["sh"]' "$ENG_TMP/busybox.tar" "$IMG" >/dev/null &&
        expect_eq "imported image's command" '[sh]' "$(d image inspect -f '{{.Config.Cmd}}' "$IMG")"
}
# Not filtered by --case: every other docker case needs the image.
docker_import_cases() { ENG_FILTER="" case_run "docker/import-image" docker_import; }
