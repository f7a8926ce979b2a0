#!/bin/sh
# PID 1 of the kernel-lab guest (busybox sh). Copied into the initramfs as /init by `lab.sh build`.
#
# Stage 1 (initramfs): load modules, build the root (host / over 9p, read-only, with a tmpfs
# overlay), mount the control and share exports, switch_root.
# Stage 2 (new root): cgroup2 with every controller, veth0/veth1, rxe0, then the command.
#
# The host talks to us through the "ctl" 9p export (mounted at /run/kernel-lab):
#   in:  cmd (shell command line), cwd, env (sourced), share-path, fault (test hook, optional)
#   out: stdout, stderr, rc (the command's exit status), started (uptime when the command began),
#        labfail (why the lab itself could not be set up)
# Writes to 9p are synchronous: once written here, the host has them, even if we power off next.

CTL=/run/kernel-lab
BB=/.kernel-lab/busybox

# Progress marks in the kernel log (shown with LAB_KERNEL_ARGS without "quiet"): boot timing.
mark() { echo "<6>kernel-lab: $*" >/dev/kmsg 2>/dev/null; }

fail() {
    # A lab failure, not the command's: tell the host why and stop.
    echo "$*" >>"$CTL/labfail" 2>/dev/null || echo "kernel-lab guest: $*" >/dev/console
    sync
    poweroff_now
}

poweroff_now() {
    "$BB" sync
    "$BB" poweroff -f
    "$BB" sleep 10
}

stage1() {
    BB=/bin/busybox
    export PATH=/bin
    mount -t proc proc /proc
    mount -t sysfs sys /sys
    mount -t devtmpfs dev /dev
    mkdir -p /ctl
    mark "loading modules"
    while read -r ko; do
        insmod "/lib/modules/$ko" || echo "kernel-lab guest: insmod $ko failed" >/dev/console
    done </lib/modules/load-order

    mark "mounting"
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ctl /ctl \
        || { echo "kernel-lab guest: cannot mount the ctl export" >/dev/console; poweroff -f; }
    CTL=/ctl

    mkdir -p /host /upper
    mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 host /host \
        || fail "cannot mount the host root (9p tag host)"
    mount -t tmpfs -o mode=0755 upper /upper || fail "cannot mount tmpfs for the overlay"
    mkdir -p /upper/u /upper/w
    mount -t overlay overlay -o lowerdir=/host,upperdir=/upper/u,workdir=/upper/w /newroot \
        || fail "cannot mount the overlay root (lower: host 9p, upper: tmpfs)"

    mount -t tmpfs -o mode=0755 run /newroot/run || fail "cannot mount /run"
    mount -t tmpfs -o mode=1777 tmp /newroot/tmp || fail "cannot mount /tmp"
    mkdir -p /newroot/run/kernel-lab /newroot/.kernel-lab
    mount --move /ctl /newroot/run/kernel-lab || fail "cannot move the ctl export"
    CTL=/newroot/run/kernel-lab

    share=$(cat "$CTL/share-path" 2>/dev/null)
    if [ -n "$share" ]; then
        mkdir -p "/newroot$share" || fail "cannot create the share mount point $share"
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share "/newroot$share" \
            || fail "cannot mount the share at $share"
    fi

    cp /bin/busybox /newroot/.kernel-lab/busybox
    cp /init /newroot/.kernel-lab/init
    cp /lib/modules/kver /newroot/.kernel-lab/kver
    mount --move /proc /newroot/proc
    mount --move /sys /newroot/sys
    mount --move /dev /newroot/dev
    mark "switch_root"
    exec switch_root /newroot /.kernel-lab/busybox sh /.kernel-lab/init stage2
}

stage2() {
    bb() { "$BB" "$@"; }
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    export HOME=/root
    bb mkdir -p /dev/pts /dev/shm /dev/mqueue
    bb mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
    bb mount -t tmpfs -o mode=1777 shm /dev/shm
    bb mount -t mqueue mqueue /dev/mqueue 2>/dev/null
    # A bare devtmpfs has no /dev/fd or /dev/std*; scripts and runtimes expect them.
    bb ln -sf /proc/self/fd /dev/fd
    bb ln -sf /proc/self/fd/0 /dev/stdin
    bb ln -sf /proc/self/fd/1 /dev/stdout
    bb ln -sf /proc/self/fd/2 /dev/stderr
    [ -e /dev/ptmx ] || bb ln -sf pts/ptmx /dev/ptmx
    bb hostname kernel-lab

    mark "stage2"
    bb mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2 at /sys/fs/cgroup"
    controllers=$(bb cat /sys/fs/cgroup/cgroup.controllers)
    for c in $controllers; do
        echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable cgroup controller $c"
    done
    case " $controllers " in *" rdma "*) ;; *) fail "cgroup2 has no rdma controller (controllers: $controllers)" ;; esac

    mark "network"
    # busybox ip is already in memory; only the veth pair needs iproute2's ip.
    ip=/sbin/ip
    [ -x $ip ] || ip=/bin/ip
    $ip link add veth0 type veth peer name veth1 || fail "cannot create veth0/veth1 with $ip"
    bb ip link set lo up
    bb ip addr add 192.168.77.1/24 dev veth0
    bb ip addr add 192.168.77.2/24 dev veth1
    bb ip link set veth0 up || fail "cannot bring veth0 up"
    bb ip link set veth1 up || fail "cannot bring veth1 up"
    mark "rxe"
    rdma=/sbin/rdma
    [ -x $rdma ] || rdma=/bin/rdma
    # harness-test.sh injects "no-rxe" (a netdev that does not exist) to prove the failure path.
    netdev=veth0
    [ "$(bb cat "$CTL/fault" 2>/dev/null)" = no-rxe ] && netdev=nonexistent0
    out=$($rdma link add rxe0 type rxe netdev $netdev 2>&1) || fail "rdma link add rxe0 type rxe netdev $netdev failed: $out"
    i=0
    while [ "$(bb cat /sys/class/infiniband/rxe0/ports/1/state 2>/dev/null)" != "4: ACTIVE" ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && fail "rxe0 port 1 not ACTIVE after 10 s (state: $(bb cat /sys/class/infiniband/rxe0/ports/1/state 2>&1))"
        bb usleep 100000
    done

    if [ "$(bb cat "$CTL/init" 2>/dev/null)" = systemd ]; then
        boot_systemd
    fi
    run_command
}

# `lab.sh run --systemd`: systemd becomes PID 1 (the host's /lib/systemd/systemd) and starts only the
# system bus and one service that runs the command (then powers off): no sysinit/basic targets,
# nothing of the host's own units. Units go to /run (the overlay's /etc stays the host's).
boot_systemd() {
    mark "systemd"
    [ -x /lib/systemd/systemd ] || fail "lab.sh run --systemd: /lib/systemd/systemd not installed (apt-get install systemd dbus)"
    [ -x /usr/bin/dbus-daemon ] || fail "lab.sh run --systemd: /usr/bin/dbus-daemon not installed (apt-get install dbus)"
    # Generators (fstab, sysv, gpt-auto...) read the host's config over 9p and took 15 s of a 17 s start
    # under TCG; none is needed, so each is masked (a /dev/null link in /run overrides /lib).
    bb mkdir -p /run/systemd/system-generators
    for g in /lib/systemd/system-generators/*; do bb ln -sf /dev/null "/run/systemd/system-generators/${g##*/}"; done
    echo kernel-lab >/etc/hostname # systemd sets the hostname from it (the host's otherwise)
    u=/run/systemd/system
    bb mkdir -p $u/dbus.service.d $u/dbus.socket.d
    printf '[Unit]\nDefaultDependencies=no\n' >$u/dbus.service.d/kernel-lab.conf
    printf '[Unit]\nDefaultDependencies=no\n' >$u/dbus.socket.d/kernel-lab.conf
    cat >$u/kernel-lab-command.service <<EOF
[Unit]
Description=kernel-lab command
DefaultDependencies=no
Requires=dbus.socket dbus.service
After=dbus.socket dbus.service
[Service]
Type=exec
ExecStart=$BB sh /.kernel-lab/init command
StandardInput=null
StandardOutput=journal+console
TimeoutStartSec=infinity
EOF
    cat >$u/kernel-lab.target <<EOF
[Unit]
Description=kernel-lab
DefaultDependencies=no
Requires=kernel-lab-command.service
After=kernel-lab-command.service
EOF
    exec /lib/systemd/systemd --unit=kernel-lab.target --log-target=kmsg --show-status=no
    fail "cannot exec /lib/systemd/systemd"
}

# The command, its output and status to the host, then power off (from stage2, or as systemd's service).
run_command() {
    bb() { "$BB" "$@"; }
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    export HOME=/root
    mark "command"
    # shellcheck disable=SC1091 # written by lab-run.sh for this run
    [ -f "$CTL/env" ] && . "$CTL/env"
    cwd=$(bb cat "$CTL/cwd" 2>/dev/null)
    cd "${cwd:-/}" 2>/dev/null || cd /
    bb cat /proc/uptime >"$CTL/started"
    /bin/sh -c "$(bb cat "$CTL/cmd")" </dev/null >"$CTL/stdout" 2>"$CTL/stderr"
    echo $? >"$CTL/rc.tmp"
    bb mv "$CTL/rc.tmp" "$CTL/rc"
    poweroff_now
}

case "$1" in
    stage2) stage2 ;;
    command) run_command ;;
    *) stage1 ;;
esac
