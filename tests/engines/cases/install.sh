# scripts/install.sh against temp config files: what it adds, what it keeps, backups,
# idempotence, refusals and uninstall. No daemon involved.
INSTALL_SH=$repo/scripts/install.sh
PY=$(command -v /usr/bin/python3 || command -v python3)

inst() { t "$INSTALL_SH" --bin "$RDMARUN_BIN" "$@"; }
# A JSON value at a python expression over the parsed file, e.g. jget FILE 'c["runtimes"]'.
jget() { "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2]), sort_keys=True))' "$1" "$2"; }
tget() { "$PY" -c 'import tomllib,json,sys; c=tomllib.load(open(sys.argv[1],"rb")); print(json.dumps(eval(sys.argv[2]), sort_keys=True))' "$1" "$2"; }
backups() { ls "$1".bak.* 2>/dev/null | wc -l; }

install_binary() {
    local dir=$ENG_TMP/inst-bin
    inst --prefix "$dir" || return 1
    cmp -s "$RDMARUN_BIN" "$dir/bin/rdmarun" || fail "installed binary differs from $RDMARUN_BIN" || return 1
    expect_eq mode 755 "$(stat -c %a "$dir/bin/rdmarun")" || return 1
    local ino; ino=$(stat -c %i "$dir/bin/rdmarun")
    expect_match "second run" "already installed" "$(inst --prefix "$dir")" &&
        expect_eq "inode after the second run" "$ino" "$(stat -c %i "$dir/bin/rdmarun")" &&
        inst --prefix "$dir" --uninstall >/dev/null &&
        expect_eq "after --uninstall" absent "$([ -e "$dir/bin/rdmarun" ] && echo present || echo absent)"
}

install_docker_merge() {
    local f=$ENG_TMP/inst-docker/daemon.json
    mkdir -p "${f%/*}"
    printf '{"log-level": "warn", "data-root": "/srv/d", "runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]}}, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}, "labels": ["a=\xc3\xa9"]}\n' >"$f"
    cp "$f" "$ENG_TMP/orig.json"
    inst --no-binary --prefix /opt/rd --docker --docker-config "$f" || return 1
    expect_eq "runtimes.rdmarun" '{"path": "/opt/rd/bin/rdmarun"}' "$(jget "$f" 'c["runtimes"]["rdmarun"]')" &&
        expect_eq "every other key" "$(jget "$ENG_TMP/orig.json" 'c')" \
            "$(jget "$f" '{**c, "runtimes": {k: v for k, v in c["runtimes"].items() if k != "rdmarun"}}')" &&
        expect_eq "backups" 1 "$(backups "$f")" &&
        cmp "$ENG_TMP/orig.json" "$(ls "$f".bak.*)" || return 1
    # Idempotent: nothing written, no second backup.
    local sum; sum=$(md5sum <"$f")
    inst --no-binary --prefix /opt/rd --docker --docker-config "$f" >/dev/null &&
        expect_eq "file after a second run" "$sum" "$(md5sum <"$f")" && expect_eq "backups after a second run" 1 "$(backups "$f")" || return 1
    # Uninstall removes only our entry.
    inst --no-binary --prefix /opt/rd --uninstall --docker --docker-config "$f" >/dev/null &&
        expect_eq "after --uninstall" "$(jget "$ENG_TMP/orig.json" 'c')" "$(jget "$f" 'c')"
}

install_docker_new_file() {
    local f=$ENG_TMP/inst-docker-new/etc/daemon.json
    inst --no-binary --prefix /opt/rd --docker --docker-config "$f" >/dev/null || return 1
    expect_eq "new daemon.json" '{"runtimes": {"rdmarun": {"path": "/opt/rd/bin/rdmarun"}}}' "$(jget "$f" 'c')" &&
        inst --no-binary --prefix /opt/rd --uninstall --docker --docker-config "$f" >/dev/null &&
        expect_eq "after --uninstall (the runtimes key goes when empty)" '{}' "$(jget "$f" 'c')"
}

install_docker_refusals() {
    local f=$ENG_TMP/inst-docker-bad/daemon.json out rc
    mkdir -p "${f%/*}"
    printf '{"log-level": "warn",,}\n' >"$f"; cp "$f" "$ENG_TMP/bad.orig"
    out=$(inst --no-binary --docker --docker-config "$f" 2>&1); rc=$?; echo "$out"
    [ $rc -ne 0 ] || fail "invalid JSON accepted" || return 1
    expect_match "message" "daemon.json: not valid JSON" "$out" && cmp "$f" "$ENG_TMP/bad.orig" &&
        expect_eq "backups of an invalid file" 0 "$(backups "$f")" || return 1
    # Uninstalling the default runtime would leave dockerd unable to start.
    printf '{"default-runtime": "rdmarun", "runtimes": {"rdmarun": {"path": "/x"}}}\n' >"$f"
    out=$(inst --no-binary --uninstall --docker --docker-config "$f" 2>&1); rc=$?; echo "$out"
    [ $rc -ne 0 ] && expect_match "message" "default-runtime" "$out"
}

install_print_docker_flag() {
    expect_eq "printed flag" "--add-runtime rdmarun=/opt/rd/bin/rdmarun" \
        "$(inst --no-binary --prefix /opt/rd --print-docker-flag | tail -1)" &&
        expect_eq "printed flag with --name" "--add-runtime rdma=/opt/rd/bin/rdmarun" \
            "$(inst --no-binary --prefix /opt/rd --name rdma --print-docker-flag | tail -1)"
}

install_containerd() {
    local f=$ENG_TMP/inst-ctd/etc/config.toml dump
    inst --no-binary --prefix /opt/rd --containerd --containerd-config "$f" >/dev/null || return 1
    expect_eq "CRI runtime entry" '{"options": {"BinaryName": "/opt/rd/bin/rdmarun"}, "runtime_type": "io.containerd.runc.v2"}' \
        "$(tget "$f" 'c["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["rdmarun"]')" || return 1
    dump=$(t containerd --config "$f" config dump) || return 1
    expect_match "containerd's own parse" 'BinaryName = "/opt/rd/bin/rdmarun"' "$dump" || return 1
    local sum; sum=$(md5sum <"$f")
    inst --no-binary --prefix /opt/rd --containerd --containerd-config "$f" >/dev/null &&
        expect_eq "file after a second run" "$sum" "$(md5sum <"$f")" || return 1
    # A new prefix replaces our entry instead of adding a second table.
    inst --no-binary --prefix /opt/rd2 --containerd --containerd-config "$f" >/dev/null &&
        expect_eq "BinaryName after a new prefix" '"/opt/rd2/bin/rdmarun"' \
            "$(tget "$f" 'c["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["rdmarun"]["options"]["BinaryName"]')" || return 1
    inst --no-binary --prefix /opt/rd2 --uninstall --containerd --containerd-config "$f" >/dev/null &&
        expect_eq "after --uninstall: containerd's default config" "$(containerd config default | md5sum)" "$(md5sum <"$f")"
}

install_containerd_refusal() {
    local f=$ENG_TMP/inst-ctd-user/config.toml out rc
    mkdir -p "${f%/*}"
    printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.rdmarun]\n  runtime_type = "io.containerd.runc.v2"\n' >"$f"
    cp "$f" "$ENG_TMP/ctd.orig"
    out=$(inst --no-binary --containerd --containerd-config "$f" 2>&1); rc=$?; echo "$out"
    [ $rc -ne 0 ] && expect_match "message" "already defined \(not by install.sh\)" "$out" && cmp "$f" "$ENG_TMP/ctd.orig"
}

install_podman() {
    local f=$ENG_TMP/inst-podman/containers.conf
    mkdir -p "${f%/*}"
    printf '[containers]\nlog_size_max = 1000\n\n[engine.runtimes]\nrunc = ["/usr/sbin/runc"]\n\n[network]\nnetwork_backend = "cni"\n' >"$f"
    cp "$f" "$ENG_TMP/podman.orig"
    inst --no-binary --prefix /opt/rd --podman --podman-config "$f" >/dev/null || return 1
    expect_eq "[engine.runtimes]" '{"rdmarun": ["/opt/rd/bin/rdmarun"], "runc": ["/usr/sbin/runc"]}' "$(tget "$f" 'c["engine"]["runtimes"]')" &&
        expect_eq "[network] kept" '{"network_backend": "cni"}' "$(tget "$f" 'c["network"]')" || return 1
    local sum; sum=$(md5sum <"$f")
    inst --no-binary --prefix /opt/rd --podman --podman-config "$f" >/dev/null &&
        expect_eq "file after a second run" "$sum" "$(md5sum <"$f")" &&
        inst --no-binary --prefix /opt/rd --uninstall --podman --podman-config "$f" >/dev/null &&
        cmp "$f" "$ENG_TMP/podman.orig"
}

INSTALL_CASES="binary docker_merge docker_new_file docker_refusals print_docker_flag containerd containerd_refusal podman"

install_cases() {
    local c
    for c in $INSTALL_CASES; do case_run "install/${c//_/-}" "install_$c"; done
}
