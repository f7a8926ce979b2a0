# What the suite must leave behind: nothing. Host paths the engines write by default are
# recorded before the run; afterwards nothing may run from the temp dir, stay mounted under
# it, or remain in the suite's cgroup parent, and no watched host path may have appeared.
# Sourced by run.sh.

# Paths an engine would create on the host with its defaults (the suite overrides all of them).
HOST_WATCH="/var/lib/docker /var/lib/containerd /var/lib/containers/storage /run/containers
/run/libpod /var/lib/cni /etc/cni/net.d/cni.lock /run/crun"
# Written whatever the flags say: dockerd 20.10's trust key and plugin socket dir,
# containers/image's blob-info cache (podman import; no option moves it for root), and
# /run/containerd: containerd 1.6's runc shim puts its sockets in /run/containerd/s and its
# checkpoint work dir in /run/containerd/runc/<namespace> whatever the daemon's state dir (a
# fresh machine has no /run/containerd; one that ever ran containerd has). The suite removes
# them when it created them, and says so.
HOST_DOCKERD_FIXED="/etc/docker/key.json /run/docker /var/lib/containers/cache /run/containerd"

host_snapshot() {
    local p
    for p in $HOST_WATCH $HOST_DOCKERD_FIXED /var/lib/containers; do [ -e "$p" ] && echo "$p"; done >"$ENG_TMP/host-before"
    find /sys/fs/cgroup -maxdepth 2 -name docker -o -maxdepth 2 -name libpod_parent >>"$ENG_TMP/host-before" 2>/dev/null
    host_net_state >"$ENG_TMP/host-net-before"
}

# The host's network state dockerd would change outside its namespace: docker0, its iptables
# chains, ip_forward.
host_net_state() {
    ip -o link show docker0 2>/dev/null | cut -d: -f2
    iptables -S 2>/dev/null | grep -c DOCKER
    iptables -t nat -S 2>/dev/null | grep -c DOCKER
    cat /proc/sys/net/ipv4/ip_forward
}

created_by_us() { [ -e "$1" ] && ! grep -qxF "$1" "$ENG_TMP/host-before"; }

tidy_dockerd_fixed() {
    local p
    for p in $HOST_DOCKERD_FIXED; do
        if created_by_us "$p"; then rm -rf "$p"; echo "removed $p (the engine creates it whatever its flags)"; fi
    done
}

# Pids of processes whose command line mentions the temp dir (daemons, shims, conmon).
our_pids() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$$" ] && continue
        tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$ENG_TMP" && echo "${p#/proc/}"
    done
}

# Removes the suite's cgroup tree bottom-up; prints what could not be removed.
remove_cgroup_parent() {
    local dir
    for dir in /sys/fs/cgroup/*/"$ENG_CGROUP_PARENT" /sys/fs/cgroup/"$ENG_CGROUP_PARENT"; do
        [ -d "$dir" ] || continue
        find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
        [ -d "$dir" ] && find "$dir" -name cgroup.procs -exec sh -c '[ -s "$1" ] && echo "$1: $(tr "\n" " " <"$1")"' _ {} \;
        [ -d "$dir" ] && echo "cgroup left: $dir"
    done
}

# The case: everything is checked, then cleaned anyway so a failure does not leak into the host.
case_nothing_left() {
    local bad=0 pids m left p
    pids=$(our_pids)
    if [ -n "$pids" ]; then
        bad=1; echo "processes still running from $ENG_TMP:"
        for p in $pids; do echo "  $p $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"; kill -KILL "$p" 2>/dev/null; done
    fi
    m=$(awk -v t="$ENG_TMP" '$5 ~ "^" t {print $5}' /proc/self/mountinfo | sort -r)
    if [ -n "$m" ]; then
        bad=1; echo "mounts left under $ENG_TMP:"; echo "$m" | sed 's/^/  /'
        for p in $m; do umount -l "$p" 2>/dev/null; done
    fi
    left=$(remove_cgroup_parent)
    [ -n "$left" ] && { bad=1; echo "$left"; }
    for p in $HOST_WATCH $(find /sys/fs/cgroup -maxdepth 2 -name docker -o -maxdepth 2 -name libpod_parent 2>/dev/null); do
        if created_by_us "$p"; then bad=1; echo "host path created by the engines: $p"; fi
    done
    if [ "$(host_net_state)" != "$(cat "$ENG_TMP/host-net-before")" ]; then
        bad=1; echo "host network state changed (docker0 / DOCKER iptables chains / ip_forward):"
        diff "$ENG_TMP/host-net-before" <(host_net_state)
    fi
    tidy_dockerd_fixed
    # The parent of the blob-info cache, when the cache was the only reason it exists.
    created_by_us /var/lib/containers && rmdir /var/lib/containers 2>/dev/null
    return $bad
}
