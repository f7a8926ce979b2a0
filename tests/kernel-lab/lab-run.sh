# shellcheck shell=bash
# `lab.sh run` and `lab.sh status`: sourced by lab.sh (uses its CACHE, LAB_DIR, die, log, usage).

# Caller variables passed into the guest (the guest sees the host's filesystem, so paths hold).
PASS_ENV_RE='^(PATH|LANG|LC_[A-Z]+|TZ|DOTNET_[A-Za-z0-9_]+|NUGET_[A-Za-z0-9_]+|RDMARUN_[A-Za-z0-9_]+)$'

lab_current_kdir() {
    local pkg
    pkg=$(cat "$CACHE/current" 2>/dev/null) || die "no kernel in $CACHE (run: lab.sh build)"
    local kdir=$CACHE/$pkg
    [[ -f $kdir/.complete && -f $kdir/initramfs.cpio.gz ]] \
        || die "kernel $pkg in $CACHE is incomplete (run: lab.sh build)"
    echo "$kdir"
}

# Quotes a value for the guest's busybox sh.
sh_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

cmd_status() {
    local kdir
    kdir=$(lab_current_kdir)
    echo "cache:     $CACHE"
    echo "kernel:    $(basename "$kdir") ($(cat "$kdir/kver"))"
    if [[ -f $kdir/vmlinux ]]; then echo "image:     $kdir/vmlinux"; else echo "image:     $kdir/root/boot/vmlinuz-$(cat "$kdir/kver")"; fi
    echo "initramfs: $kdir/initramfs.cpio.gz"
    if [[ $(initramfs_inputs "$kdir") == "$(cat "$kdir/initramfs.cpio.gz.inputs" 2>/dev/null)" ]]; then
        echo "state:     up to date"
    else
        echo "state:     initramfs out of date (rebuilt on next run)"
    fi
}

cmd_run() {
    local timeout=600 share="" verbose=${LAB_VERBOSE:-0} init=""
    local -a extra_env=()
    while (($#)); do
        case $1 in
            --timeout) [[ $# -ge 2 && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || usage; timeout=$2; shift 2 ;;
            --share) [[ $# -ge 2 ]] || usage; share=$2; shift 2 ;;
            --env) [[ $# -ge 2 && $2 == [A-Za-z_]*=* ]] || usage; extra_env+=("$2"); shift 2 ;;
            --verbose | -v) verbose=1; shift ;;
            --systemd) init=systemd; shift ;;
            --) shift; break ;;
            *) echo "kernel-lab: unexpected argument $1 (put the command after --)" >&2; usage ;;
        esac
    done
    (($#)) || usage
    [[ $(id -u) == 0 ]] || die "run needs root (qemu virtfs exports the host root)"
    command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed (run: lab.sh build)"

    local kdir kver image
    kdir=$(lab_current_kdir)
    kver=$(cat "$kdir/kver")
    # guest-init.sh changed since the last build: the initramfs is cheap to redo, no download needed.
    if [[ $(initramfs_inputs "$kdir") != "$(cat "$kdir/initramfs.cpio.gz.inputs" 2>/dev/null)" ]]; then
        (
            flock 9
            LAB_QUIET=$((1 - verbose)) build_initramfs "$kdir" "$kdir/initramfs.cpio.gz"
        ) 9>"$CACHE/.lock" || exit $?
    fi
    image=$kdir/vmlinux
    [[ -f $image ]] || image=$kdir/root/boot/vmlinuz-$kver
    [[ -f $image ]] || die "kernel image missing: $image (run: lab.sh build)"

    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab.XXXXXX") || die "cannot create a temp dir"
    LAB_WORK=$work
    LAB_QPID=""
    LAB_HELPERS=""
    trap lab_cleanup EXIT
    trap 'lab_cleanup; trap - EXIT; exit 130' INT
    trap 'lab_cleanup; trap - EXIT; exit 143' TERM HUP

    local ctl=$work/ctl
    mkdir -p "$ctl"
    if [[ -z $share ]]; then
        share=$work/share
        mkdir -p "$share"
    fi
    [[ -d $share ]] || die "share dir does not exist: $share"
    share=$(cd "$share" && pwd -P)

    printf '%s' "$*" >"$ctl/cmd"
    pwd -P >"$ctl/cwd" 2>/dev/null || echo / >"$ctl/cwd"
    printf '%s' "$share" >"$ctl/share-path"
    {
        local name
        while IFS= read -r name; do
            [[ $name =~ $PASS_ENV_RE ]] && echo "export $name=$(sh_quote "${!name}")"
        done < <(compgen -e)
        echo "export LAB_SHARE=$(sh_quote "$share")"
        local kv
        for kv in "${extra_env[@]}"; do echo "export ${kv%%=*}=$(sh_quote "${kv#*=}")"; done
    } >"$ctl/env"
    [[ -n ${LAB_FAULT:-} ]] && printf '%s' "$LAB_FAULT" >"$ctl/fault"
    # --systemd: the guest execs systemd as PID 1 after its setup; the command runs as a service.
    [[ -n $init ]] && printf '%s' "$init" >"$ctl/init"
    : >"$ctl/stdout"
    : >"$ctl/stderr"

    # shellcheck disable=SC2054 # commas separate qemu sub-options
    local -a qemu=(qemu-system-x86_64
        -accel tcg,thread=multi -cpu max -m 2048 -smp 2
        -nographic -no-reboot -nodefaults -no-user-config
        -serial "file:$work/console.log" -monitor none
        -kernel "$image" -initrd "$kdir/initramfs.cpio.gz"
        -append "$KERNEL_ARGS"
        -virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
        -virtfs "local,path=$ctl,mount_tag=ctl,security_model=none,multidevs=remap"
        -virtfs "local,path=$share,mount_tag=share,security_model=none,multidevs=remap"
        # A physical NIC (eth0 in the guest) for tests that move one into a container and back; user
        # networking with restrict=on: no route out of the VM, nothing created on the host.
        -netdev user,id=nic1,restrict=on -device "virtio-net-pci,netdev=nic1,mac=52:54:00:12:34:56")

    local t0
    t0=$(date +%s.%N)
    "${qemu[@]}" </dev/null >"$work/qemu.log" 2>&1 &
    LAB_QPID=$!
    # Relay output while the guest writes it; tail exits after qemu does, once it has read the rest.
    tail -c +1 -s 0.2 --pid="$LAB_QPID" -f "$ctl/stdout" &
    LAB_HELPERS="$LAB_HELPERS $!"
    tail -c +1 -s 0.2 --pid="$LAB_QPID" -f "$ctl/stderr" >&2 &
    LAB_HELPERS="$LAB_HELPERS $!"
    # The watchdog exits quietly when stopped (a job killed by a signal makes bash print "Terminated").
    # A boot takes 4-15 s even on a loaded host: one that has not started the command after $boot_limit s
    # hangs, and waiting out the whole --timeout would only delay saying so.
    local boot_limit=${LAB_BOOT_TIMEOUT:-180}
    ((boot_limit < timeout)) || boot_limit=$timeout
    (
        trap 'kill "$s" 2>/dev/null; exit 0' TERM
        sleep "$boot_limit" &
        s=$!
        wait "$s" || exit 0
        if [[ ! -f $ctl/started ]]; then
            touch "$work/timedout"
            kill "$LAB_QPID" 2>/dev/null
            exit 0
        fi
        sleep $((timeout - boot_limit)) &
        s=$!
        wait "$s" && touch "$work/timedout" && kill "$LAB_QPID" 2>/dev/null
    ) &
    local watchdog=$!
    LAB_HELPERS="$LAB_HELPERS $watchdog"

    local qrc=0
    wait "$LAB_QPID" || qrc=$?
    LAB_QPID=""
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    # Let the relays drain what the guest wrote last.
    local p
    for p in $LAB_HELPERS; do [[ $p == "$watchdog" ]] || wait "$p" 2>/dev/null || true; done
    LAB_HELPERS=""
    local t1
    t1=$(date +%s.%N)

    if [[ $verbose == 1 ]]; then
        local up=""
        [[ -f $ctl/started ]] && up=$(cut -d' ' -f1 <"$ctl/started")
        awk -v a="$t0" -v b="$t1" -v up="$up" 'BEGIN {
            printf "kernel-lab: vm wall time %.2f s, guest uptime when the command started %s s\n", b - a, (up == "" ? "?" : up) }' >&2
    fi

    if [[ -f $work/timedout ]]; then
        if [[ -f $ctl/started ]]; then
            echo "kernel-lab: command timed out after ${timeout} s (vm killed)" >&2
        else
            echo "kernel-lab: boot timed out after ${boot_limit} s (vm killed)" >&2
            lab_show_console "$work"
        fi
        return "$EXIT_TIMEOUT"
    fi
    if [[ -s $ctl/labfail ]]; then
        echo "kernel-lab: guest setup failed: $(tr '\n' ' ' <"$ctl/labfail")" >&2
        lab_show_console "$work"
        return "$EXIT_LAB"
    fi
    if [[ -f $ctl/rc ]]; then
        local rc
        rc=$(cat "$ctl/rc")
        [[ $rc =~ ^[0-9]+$ ]] || die "guest wrote an invalid exit status: $rc"
        return "$rc"
    fi
    local panic
    panic=$(grep -m1 -a 'Kernel panic' "$work/console.log" 2>/dev/null || true)
    if [[ -n $panic ]]; then
        echo "kernel-lab: kernel panic: ${panic#*] }" >&2
    else
        echo "kernel-lab: vm exited (qemu status $qrc) without a result from the guest" >&2
        [[ -s $work/qemu.log ]] && sed 's/^/kernel-lab: qemu: /' "$work/qemu.log" | tail -n 20 >&2
    fi
    lab_show_console "$work"
    return "$EXIT_LAB"
}

lab_show_console() {
    [[ -s $1/console.log ]] || return 0
    echo "kernel-lab: last console lines:" >&2
    tail -n 30 "$1/console.log" | LC_ALL=C sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|c)//g' \
        | LC_ALL=C tr -cd '\11\12\40-\176' | sed 's/^/kernel-lab:   /' >&2
}

# Every exit path: no qemu, relay or watchdog left behind.
lab_cleanup() {
    local p
    if [[ -n ${LAB_QPID:-} ]]; then
        kill "$LAB_QPID" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$LAB_QPID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$LAB_QPID" 2>/dev/null || true
        wait "$LAB_QPID" 2>/dev/null || true
        LAB_QPID=""
    fi
    for p in ${LAB_HELPERS:-}; do
        kill "$p" 2>/dev/null || true
    done
    LAB_HELPERS=""
    [[ -n ${LAB_WORK:-} && ${LAB_KEEP:-0} != 1 ]] && rm -rf "$LAB_WORK"
    LAB_WORK=""
}
