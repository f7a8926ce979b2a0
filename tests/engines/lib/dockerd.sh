# A private dockerd: data root, exec root, pid file, socket, containerd (its own, spawned by
# dockerd under the exec root), cgroup parent and network namespace all belong to this run,
# so the host's Docker state is never touched. Sourced by run.sh; uses ENG_TMP.

# The private network namespace: docker0 and its iptables rules live and die with it, so the
# default bridge works with iptables on and leaves nothing on the host.
netns_create() {
    [ -e "$ENG_TMP/netns" ] && return 0
    touch "$ENG_TMP/netns"
    unshare --net="$ENG_TMP/netns" true || return 1
    nsenter --net="$ENG_TMP/netns" ip link set lo up
}
netns_remove() {
    [ -e "$ENG_TMP/netns" ] || return 0
    umount "$ENG_TMP/netns" 2>/dev/null; rm -f "$ENG_TMP/netns"
}

# daemon.json with only the private locations; install.sh merges the runtime into it, so the
# daemon runs with exactly the registration a user gets from `install.sh --docker`.
dockerd_config() { # FILE
    local d=$ENG_TMP/docker
    cat >"$1" <<JSON
{
  "data-root": "$d/data",
  "exec-root": "$d/exec",
  "pidfile": "$d/dockerd.pid",
  "hosts": ["unix://$d/docker.sock"],
  "containerd-namespace": "rdmarun-e2e",
  "containerd-plugins-namespace": "rdmarun-e2e-plugins",
  "cgroup-parent": "/$ENG_CGROUP_PARENT/docker",
  "storage-driver": "${ENG_DOCKER_STORAGE:-overlay2}",
  "log-level": "info"
}
JSON
}

# Where dockerd's containerd keeps the bundles (each container's config.json).
ENG_DOCKER_EXEC=$ENG_TMP/docker/exec

# The client from Debian's docker.io, matching the daemon (another docker earlier on PATH
# could be any version).
ENG_DOCKER=$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )

dockerd_start() {
    local d=$ENG_TMP/docker
    mkdir -p "$d"
    export DOCKER_HOST=unix://$d/docker.sock DOCKER_CONFIG=$d/client
    netns_create || { echo "cannot create a network namespace"; return 1; }
    nsenter --net="$ENG_TMP/netns" dockerd --config-file "$d/daemon.json" >"$d/dockerd.log" 2>&1 &
    ENG_DOCKERD_PID=$!
    local i
    for i in $(seq 1 150); do
        if t "$ENG_DOCKER" version >/dev/null 2>&1; then return 0; fi
        kill -0 "$ENG_DOCKERD_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "dockerd did not come up; last lines of $d/dockerd.log:"
    tail -20 "$d/dockerd.log"
    return 1
}

dockerd_log_tail() { tail -"${1:-15}" "$ENG_TMP/docker/dockerd.log" 2>/dev/null | sed 's/^/    dockerd| /'; }

# Removes every container, then stops dockerd (which stops its containerd) and waits for it.
dockerd_stop() {
    [ -n "${ENG_DOCKERD_PID:-}" ] || return 0
    local ids
    ids=$(t "$ENG_DOCKER" ps -aq 2>/dev/null)
    [ -n "$ids" ] && t "$ENG_DOCKER" rm -f $ids >/dev/null 2>&1
    kill -TERM "$ENG_DOCKERD_PID" 2>/dev/null
    local i
    for i in $(seq 1 100); do kill -0 "$ENG_DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$ENG_DOCKERD_PID" 2>/dev/null; then
        echo "dockerd $ENG_DOCKERD_PID did not stop in 20 s; killing it"
        kill -KILL "$ENG_DOCKERD_PID" 2>/dev/null
    fi
    wait "$ENG_DOCKERD_PID" 2>/dev/null
    ENG_DOCKERD_PID=
    # dockerd keeps its default netns bind-mounted after exit (its own file, not a container's).
    umount "$ENG_TMP/docker/exec/netns/default" 2>/dev/null
}
