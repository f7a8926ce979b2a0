# podman with private storage, run root, tmp dir, events log and network config (podman has no
# daemon; conmon watches each container). Sourced by run.sh; uses ENG_TMP.

# containers.conf for this run; install.sh then adds rdmarun to [engine.runtimes], so podman
# finds `--runtime rdmarun` by the name install.sh registered.
podman_config() { # FILE
    local p=$ENG_TMP/podman
    # podman as root asks for nofile and nproc 1048576; above this shell's hard limits the container's
    # init (which lacks CAP_SYS_RESOURCE by then) gets EPERM with runc and rdmarun alike.
    # (nproc: podman lowers its own limit below the shell's, so a fixed modest value)
    local nofile nproc=4096; nofile=$(ulimit -Hn)
    cat >"$1" <<TOML
[containers]
netns = "none"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$p/events.log"
tmp_dir = "$p/tmp"
volume_path = "$p/volumes"
[network]
network_config_dir = "$p/net"
TOML
}

# --runtime-flag root=: the runtime keeps its state under the temp dir, not in /run/NAME.
pm() {
    # (DOCKER_CONFIG/DOCKER_HOST belong to the private dockerd; podman would read its auth file)
    t env -u DOCKER_CONFIG -u DOCKER_HOST CONTAINERS_CONF="$ENG_TMP/podman/containers.conf" \
        CONTAINERS_STORAGE_CONF="$ENG_TMP/podman/storage.conf" podman --root "$ENG_TMP/podman/root" --runroot "$ENG_TMP/podman/runroot" \
        --storage-driver "${ENG_PODMAN_STORAGE:-overlay}" --runtime-flag "root=$ENG_TMP/podman/runtime-root" "$@"
}

podman_setup() {
    local p=$ENG_TMP/podman
    mkdir -p "$p/net" "$p/tmp"
    # Without a storage.conf of its own podman would read the host's (or complain it has none).
    printf '[storage]\ndriver = "%s"\nrunroot = "%s"\ngraphroot = "%s"\n' \
        "${ENG_PODMAN_STORAGE:-overlay}" "$p/runroot" "$p/root" >"$p/storage.conf"
    pm import --change 'CMD ["sh"]' "$ENG_TMP/busybox.tar" rdmarun-e2e/busybox:latest >"$p/import.log" 2>&1 || {
        echo "podman import failed:"; cat "$p/import.log"; return 1; }
}

podman_stop() {
    [ -d "$ENG_TMP/podman/root" ] || return 0
    pm rm -af -t 0 >/dev/null 2>&1
    # overlay mounts of the image layers stay until storage is shut down.
    pm system reset -f >/dev/null 2>&1 || true
    return 0
}
