# A private containerd (own root, state, sockets; no metrics/debug listeners) driven with ctr.
# Sourced by run.sh; uses ENG_TMP.
ENG_CTR_NS=rdmarun-e2e

# The daemon's config; install.sh then appends the CRI runtime entry, so this daemon loads
# exactly what `install.sh --containerd` writes.
containerd_config() { # FILE
    local c=$ENG_TMP/containerd
    cat >"$1" <<TOML
version = 2
root = "$c/root"
state = "$c/state"
[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  disable_cgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "$c/cni"
TOML
}

ctr_() { t ctr --address "$ENG_TMP/containerd/containerd.sock" --namespace "$ENG_CTR_NS" "$@"; }

containerd_start() {
    local c=$ENG_TMP/containerd
    containerd --config "$c/config.toml" >"$c/containerd.log" 2>&1 &
    ENG_CONTAINERD_PID=$!
    local i
    for i in $(seq 1 100); do
        if ctr_ version >/dev/null 2>&1; then return 0; fi
        kill -0 "$ENG_CONTAINERD_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "containerd did not come up; last lines of $c/containerd.log:"
    tail -20 "$c/containerd.log"
    return 1
}

containerd_log_tail() { tail -"${1:-15}" "$ENG_TMP/containerd/containerd.log" 2>/dev/null | sed 's/^/    containerd| /'; }

# Kills and deletes every task and container, then stops the daemon.
containerd_stop() {
    [ -n "${ENG_CONTAINERD_PID:-}" ] || return 0
    local id
    for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s SIGKILL "$id" >/dev/null 2>&1; done
    for id in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete -f "$id" >/dev/null 2>&1; done
    for id in $(ctr_ container ls -q 2>/dev/null); do ctr_ container delete "$id" >/dev/null 2>&1; done
    kill -TERM "$ENG_CONTAINERD_PID" 2>/dev/null
    local i
    for i in $(seq 1 100); do kill -0 "$ENG_CONTAINERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$ENG_CONTAINERD_PID" 2>/dev/null
    wait "$ENG_CONTAINERD_PID" 2>/dev/null
    ENG_CONTAINERD_PID=
}
