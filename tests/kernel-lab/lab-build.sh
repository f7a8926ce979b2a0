# shellcheck shell=bash
# `lab.sh build`: sourced by lab.sh (uses its CACHE, LAB_DIR, MODULES, APT_*, die, log).
# Installs the host tools, downloads the one kernel package, extracts vmlinux, builds the initramfs.

apt_install_missing() {
    local missing=() opt_missing=() p
    for p in $APT_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    for p in $APT_OPTIONAL; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || opt_missing+=("$p")
    done
    if ((${#missing[@]} + ${#opt_missing[@]} == 0)); then return 0; fi
    log "installing ${missing[*]} ${opt_missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${missing[@]}" "${opt_missing[@]}" >&2; then
        apt-get update >&2 || true
        if ((${#missing[@]})); then
            apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
                || die "apt-get install failed for ${missing[*]}"
        fi
        if ((${#opt_missing[@]})); then
            apt-get install -y --no-install-recommends "${opt_missing[@]}" >&2 \
                || log "optional packages not installed: ${opt_missing[*]}"
        fi
    fi
}

# Newest linux-image-6.1.0-N-amd64 known to apt (exact name; a wildcard download pulls every kernel).
newest_kernel_package() {
    apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null \
        | awk '{print $1}' | sort -V | tail -n1
}

# Extracts the uncompressed ELF kernel from a bzImage (booting it directly saves ~2.5 s).
extract_vmlinux() {
    local bz=$1 out=$2 off
    for magic in $'\xfd7zXZ\x00' $'\x28\xb5\x2f\xfd' $'\x1f\x8b\x08'; do
        for off in $(LC_ALL=C grep -obUaF -- "$magic" "$bz" 2>/dev/null | cut -d: -f1 | head -n 5); do
            case $magic in
                $'\xfd7zXZ\x00') tail -c +$((off + 1)) "$bz" | xz -dc 2>/dev/null >"$out.tmp" || true ;;
                $'\x28\xb5\x2f\xfd') tail -c +$((off + 1)) "$bz" | zstd -dc 2>/dev/null >"$out.tmp" || true ;;
                *) tail -c +$((off + 1)) "$bz" | gzip -dc 2>/dev/null >"$out.tmp" || true ;;
            esac
            if [[ -s $out.tmp ]] && [[ $(head -c 4 "$out.tmp") == $'\x7fELF' ]]; then
                mv "$out.tmp" "$out"
                return 0
            fi
        done
    done
    rm -f "$out.tmp"
    return 1
}

# Prints the .ko paths (relative to the modules dir) to load, dependencies first.
module_load_order() {
    local moddir=$1
    awk -v want="$MODULES" -v builtin_file="$moddir/modules.builtin" '
        function norm(s) { gsub(/-/, "_", s); return s }
        function base(p,   s) { s = p; sub(/.*\//, "", s); sub(/\.ko(\.(xz|zst|gz))?$/, "", s); return norm(s) }
        BEGIN {
            while ((getline line < builtin_file) > 0) builtin[base(line)] = 1
        }
        {
            key = $1; sub(/:$/, "", key)
            n = base(key); path[n] = key; deps[n] = ""
            for (i = 2; i <= NF; i++) deps[n] = deps[n] " " base($i)
        }
        function visit(m,   d, k, i) {
            if (m in done) return
            done[m] = 1
            k = split(deps[m], d, " ")
            for (i = k; i >= 1; i--) visit(d[i])
            print path[m]
        }
        END {
            n = split(want, w, " ")
            for (i = 1; i <= n; i++) {
                m = norm(w[i])
                if (m in path) visit(m)
                else if (m in builtin) continue
                else { print "missing module " w[i] > "/dev/stderr"; bad = 1 }
            }
            exit bad
        }' "$moddir/modules.dep"
}

build_kernel() {
    local pkg=$1 kdir=$2
    [[ -f $kdir/.complete ]] && return 0
    rm -rf "$kdir" && mkdir -p "$kdir/deb"
    log "downloading $pkg"
    chown _apt "$kdir/deb" 2>/dev/null || true # apt downloads as _apt when it can
    (cd "$kdir/deb" && apt-get download "$pkg" >&2) || die "apt-get download $pkg failed"
    local deb
    deb=$(ls "$kdir"/deb/*.deb 2>/dev/null | head -n1)
    [[ -n $deb ]] || die "apt-get download $pkg produced no .deb in $kdir/deb"
    log "extracting $(basename "$deb")"
    dpkg-deb -x "$deb" "$kdir/root" || die "dpkg-deb -x $deb failed"
    local kver
    kver=$(ls "$kdir/root/lib/modules" | head -n1)
    [[ -n $kver && -f $kdir/root/boot/vmlinuz-$kver ]] || die "no kernel image in $deb"
    depmod -b "$kdir/root" "$kver" || die "depmod -b $kdir/root $kver failed"
    if extract_vmlinux "$kdir/root/boot/vmlinuz-$kver" "$kdir/vmlinux"; then
        log "extracted uncompressed vmlinux"
    else
        log "could not extract vmlinux, booting the compressed image"
    fi
    echo "$kver" >"$kdir/kver"
    rm -rf "$kdir/deb" # the extracted tree is all we use
    touch "$kdir/.complete"
}

# Hash of everything that goes into the initramfs, so it is rebuilt only when an input changes.
initramfs_inputs() {
    local kdir=$1
    {
        cat "$kdir/kver"
        echo "$MODULES"
        sha256sum "$LAB_DIR/guest-init.sh" /bin/busybox | awk '{print $1}'
    } | sha256sum | awk '{print $1}'
}

build_initramfs() {
    local kdir=$1 out=$2
    local inputs kver
    inputs=$(initramfs_inputs "$kdir")
    if [[ -f $out && -f $out.inputs && $(cat "$out.inputs") == "$inputs" ]]; then return 0; fi
    kver=$(cat "$kdir/kver")
    local moddir=$kdir/root/lib/modules/$kver
    local stage
    stage=$(mktemp -d "$CACHE/initramfs.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$stage'" RETURN
    mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
    cp /bin/busybox "$stage/bin/busybox"
    for a in sh mount umount mkdir insmod switch_root cat echo sleep poweroff chroot cp ln mknod; do
        ln -s busybox "$stage/bin/$a"
    done
    cp "$LAB_DIR/guest-init.sh" "$stage/init"
    chmod 755 "$stage/init"
    local order rel name
    order=$(module_load_order "$moddir") || die "required modules missing from $kver (see above)"
    : >"$stage/lib/modules/load-order"
    for rel in $order; do
        name=$(basename "$rel")
        case $name in
            *.ko.xz) xz -dc "$moddir/$rel" >"$stage/lib/modules/${name%.xz}"; name=${name%.xz} ;;
            *.ko.zst) zstd -dcq "$moddir/$rel" >"$stage/lib/modules/${name%.zst}"; name=${name%.zst} ;;
            *.ko.gz) gzip -dc "$moddir/$rel" >"$stage/lib/modules/${name%.gz}"; name=${name%.gz} ;;
            *) cp "$moddir/$rel" "$stage/lib/modules/$name" ;;
        esac
        echo "$name" >>"$stage/lib/modules/load-order"
    done
    echo "$kver" >"$stage/lib/modules/kver"
    (cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out.tmp" \
        || die "could not write initramfs $out"
    mv "$out.tmp" "$out"
    echo "$inputs" >"$out.inputs"
    log "initramfs: $(wc -l <"$stage/lib/modules/load-order") modules, $(du -h "$out" | cut -f1)"
}

cmd_build() {
    [[ $(id -u) == 0 ]] || die "build needs root (apt-get install, writes $CACHE)"
    mkdir -p "$CACHE" || die "cannot create cache dir $CACHE"
    # One build at a time; a concurrent `run` waits here before refreshing the initramfs.
    exec 9>"$CACHE/.lock"
    flock 9
    apt_install_missing
    local pkg
    pkg=$(newest_kernel_package)
    if [[ -z $pkg ]]; then
        log "no linux-image-6.1.0-N-amd64 in apt lists, running apt-get update"
        apt-get update >&2 || true
        pkg=$(newest_kernel_package)
    fi
    # Offline fallback: keep using the kernel already in the cache.
    if [[ -z $pkg && -f $CACHE/current ]]; then pkg=$(cat "$CACHE/current"); fi
    [[ -n $pkg ]] || die "apt knows no linux-image-6.1.0-N-amd64 package"
    local kdir=$CACHE/$pkg
    build_kernel "$pkg" "$kdir"
    build_initramfs "$kdir" "$kdir/initramfs.cpio.gz"
    echo "$pkg" >"$CACHE/current.tmp" && mv "$CACHE/current.tmp" "$CACHE/current"
    # Older kernels are no longer used.
    local d
    for d in "$CACHE"/linux-image-*; do
        [[ -d $d && $d != "$kdir" ]] && rm -rf "$d"
    done
    log "ready: $pkg ($(cat "$kdir/kver")) in $kdir"
}
