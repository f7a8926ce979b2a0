# The test image: a busybox rootfs from Debian's busybox-static (as scripts/make-bundle.sh builds
# it), as a directory (ctr --rootfs) and a tar (docker/podman import). No registry involved.
make_rootfs() { # DIR: writes DIR/rootfs and DIR/busybox.tar
    local dir=$1 r=$1/rootfs
    mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,home/nobody}
    cp /bin/busybox "$r/bin/busybox"
    local c
    for c in $("$r/bin/busybox" --list); do [ -e "$r/bin/$c" ] || ln -s busybox "$r/bin/$c"; done
    chmod 1777 "$r/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home/nobody:/bin/sh\n' >"$r/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
    tar -C "$r" -cf "$dir/busybox.tar" .
}
