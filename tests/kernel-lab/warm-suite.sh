#!/bin/bash
# Warm `run` (runtime/native/RUN_TEMPLATE.md) on a pure cgroup v2 host: the default bundle there has a
# cgroup namespace of its own (`rdmarun spec` and `runc spec` add one), which the host (hybrid v1) cannot
# show. A later step of a published config must start from the template and look exactly as the full
# path's container: /proc/self/cgroup "0::/", a fresh cgroup2 mount at /sys/fs/cgroup rooted at its own
# cgroup, and nothing left afterwards.
#
#   warm-suite.sh                on the host: boots the lab and runs the cases inside
#   warm-suite.sh --inside DIR   the cases themselves (DIR: a scratch dir the guest can write)
# Prints "PASS name" / "FAIL name: reason" lines and "N passed, N failed"; exit 0 only when all passed.
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$LAB_DIR/../.." && pwd -P)

host_main() {
    local share rc=0
    share=$(mktemp -d "${TMPDIR:-/var/tmp}/kernel-lab-warm.XXXXXX") || return 125
    # shellcheck disable=SC2064
    trap "rm -rf '$share'" EXIT
    # Copies: a rebuild during the boot must not change what is tested.
    cp "$LAB_DIR/warm-suite.sh" "$share/" && cp "${RDMARUN_BIN:-$REPO/out/rdmarun}" "$share/rdmarun" || return 125
    "$LAB_DIR/lab.sh" run --timeout "${SUITE_TIMEOUT:-600}" --share "$share" --env "RDMARUN_BIN=$share/rdmarun" \
        -- "$(printf '%q ' bash "$share/warm-suite.sh" --inside "$share")" || rc=$?
    return $rc
}

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
one_line() { tr '\n' ' ' | sed 's/ *$//'; }

ROOT=/run/warm-suite-rdmarun
CG=/sys/fs/cgroup
rt() { timeout -k 5 60 "$RT" --root "$ROOT" "$@"; }
edit() { jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"; }

# A busybox rootfs in DIR/rootfs.
busybox_rootfs() {
    local a
    mkdir -p "$1/rootfs"/{bin,proc,sys,dev,tmp} && cp /bin/busybox "$1/rootfs/bin/busybox" || return 1
    for a in sh cat sleep grep cut; do ln -s busybox "$1/rootfs/bin/$a"; done
}

# Terminal off as Slurm sets it, running ARGS.
set_args() {
    local dir=$1
    shift
    edit "$dir" ".process.terminal = false | .process.args = $(jq -cn '$ARGS.positional' --args -- "$@")"
}

# The published template's key under the state root ROOT (empty: none).
template_key() { ls "$1/.launch" 2>/dev/null | grep -v '\.lock$' | head -n 1; }

# A busybox bundle as `rdmarun spec` writes it here (cgroup v2: with a cgroup namespace), running ARGS.
new_bundle() {
    local dir=$WORK/$1
    shift
    busybox_rootfs "$dir" && (cd "$dir" && timeout -k 5 60 "$RT" spec) && set_args "$dir" "$@"
}

# What the container shows: its /proc/self/cgroup, the /sys/fs/cgroup line of its mountinfo without the
# mount ids (fields 4.. : root, mount point, options, fs type, source, super options), and the first
# process of the root of its cgroup2 mount: its own PID 1 when that root is its own cgroup.
SHOW='cat /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo | cut -d" " -f4-; read p </sys/fs/cgroup/cgroup.procs; echo "procs=$p"'

# The first run publishes the template, a later one starts from it; forced full (TTL 0) and warm runs of
# the same step must print the same. The warm container's init is in <template cgroup>/<id> on the host.
case_cgroup_namespace_served_warm() {
    local n=cgns b key full warm pid hostcg
    new_bundle $n sh -c "$SHOW" || { fail cgroupns-warm-same-view "bundle"; return; }
    b=$WORK/$n
    if [[ $(jq -r '[.linux.namespaces[].type] | index("cgroup") != null' "$b/config.json") != true ]]; then
        fail cgroupns-warm-same-view "rdmarun spec on this v2 host wrote no cgroup namespace: $(jq -c .linux.namespaces "$b/config.json")"
        return
    fi
    rt --warm-run run -b "$b" c1 >"$WORK/c1.out" 2>&1 </dev/null || { fail cgroupns-warm-same-view "first run: $(one_line <"$WORK/c1.out")"; return; }
    key=$(template_key "$ROOT")
    [[ -n $key ]] || { fail cgroupns-warm-same-view "the first run published no template (ls $ROOT/.launch: $(ls "$ROOT/.launch" 2>&1 | one_line))"; return; }
    full=$(RDMARUN_LAUNCH_TEMPLATE_TTL=0 rt --warm-run run -b "$b" c2 2>&1 </dev/null)
    warm=$(rt --warm-run run -b "$b" c3 2>&1 </dev/null)
    if [[ $warm == "$full" && $warm == *'0::/'* && $warm == *' /sys/fs/cgroup '*' - cgroup2 cgroup2 '* && $warm == *procs=1* ]]; then
        pass cgroupns-warm-same-view
    else
        fail cgroupns-warm-same-view "full path printed '$(one_line <<<"$full")', warm '$(one_line <<<"$warm")'"
    fi

    # Which path ran it, seen from the host: a warm container's cgroup is the template's child.
    edit "$b" '.process.args = ["sleep", "30"]'
    (rt --warm-run run -b "$b" c4 >"$WORK/c4.out" 2>&1 </dev/null &)
    pid=""
    for _ in $(seq 100); do pid=$(rt state c4 2>/dev/null | jq -r '.pid // empty'); [[ -n $pid && $pid != 0 ]] && break; sleep 0.1; done
    hostcg=$(cat "/proc/$pid/cgroup" 2>&1)
    local inside
    inside=$(rt exec c4 cat /proc/self/cgroup 2>&1)
    if [[ $hostcg == "0::/launch-template-$key/c4" && $inside == '0::/' ]]; then
        pass cgroupns-warm-from-template
    else
        fail cgroupns-warm-from-template "host sees the init (pid '$pid') in '$(one_line <<<"$hostcg")' (want 0::/launch-template-$key/c4), exec inside sees '$(one_line <<<"$inside")'"
    fi
    rt kill c4 KILL >/dev/null 2>&1
    for _ in $(seq 100); do [[ -e $ROOT/c4 ]] || break; sleep 0.1; done

    # Nothing left once the template is dropped: no container, no cgroup, no template.
    rt launch --drop-templates >/dev/null 2>&1
    local left=""
    for c in c1 c2 c3 c4; do [[ -e $ROOT/$c ]] && left+="state $c; "; done
    compgen -G "$CG/launch-template-*" >/dev/null && left+="cgroups: $(ls -d "$CG"/launch-template-* | one_line); "
    [[ -n $(ls "$ROOT/.launch" 2>/dev/null) ]] && left+="templates: $(ls "$ROOT/.launch" | one_line)"
    if [[ -z $left ]]; then pass cgroupns-nothing-left; else fail cgroupns-nothing-left "$left"; fi
}

# Rootless (the job user of a Slurm step): `rdmarun spec --rootless` here has a cgroup namespace too, and
# /sys is an rbind of the host's, so a fresh cgroup2 mount on its /sys/fs/cgroup is refused (EBUSY: the
# same superblock is mounted there). The full path then does as runc: with no delegated cgroup, an empty
# read-only tmpfs (before: the run failed). The later step starts from the template (its `inuse` is
# touched) and shows the same /proc/self/cgroup and /sys/fs/cgroup mount as the full path's.
case_rootless_cgroup_namespace_served_warm() {
    local u=65534 b=$WORK/rl root=$WORK/rl-root key inuse t0 full warm rt=$WORK/rdmarun
    as_user() { timeout -k 5 60 setpriv --reuid=$u --regid=$u --clear-groups -- "$@"; }
    busybox_rootfs "$b" && mkdir -p "$root" || { fail rootless-cgroupns-warm "bundle"; return; }
    # A copy the user can reach (the share is root's 0700): its guard is started from /proc/self/exe's path.
    cp "$RT" "$rt" && chmod 755 "$rt" || { fail rootless-cgroupns-warm "copy $RT"; return; }
    chown -R $u:$u "$b" "$root" && chmod 755 "$WORK"
    (cd "$b" && as_user "$rt" spec --rootless) || { fail rootless-cgroupns-warm "spec --rootless as uid $u failed"; return; }
    local show='cat /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo | cut -d" " -f4-'
    set_args "$b" sh -c "$show" && chown $u:$u "$b/config.json"
    if [[ $(jq -r '[.linux.namespaces[].type] | (index("cgroup") != null) and (index("user") != null)' "$b/config.json") != true ]]; then
        fail rootless-cgroupns-warm "spec --rootless wrote no cgroup or user namespace: $(jq -c .linux.namespaces "$b/config.json")"
        return
    fi
    rt_u() { (cd "$b" && as_user "$rt" --root "$root" --warm-run run -b "$b" "$@" 2>&1 </dev/null); }
    rt_u r1 >"$WORK/r1.out" || { fail rootless-cgroupns-warm "first run: $(one_line <"$WORK/r1.out")"; return; }
    key=$(template_key "$root")
    [[ -n $key ]] || { fail rootless-cgroupns-warm "the first run published no template (ls $root/.launch: $(ls "$root/.launch" 2>&1 | one_line); it printed: $(one_line <"$WORK/r1.out"))"; return; }
    full=$(RDMARUN_LAUNCH_TEMPLATE_TTL=0 rt_u r2)
    inuse=$root/.launch/$key/inuse
    t0=$(date -r "$inuse" +%s%N)
    warm=$(rt_u r3)
    if [[ $warm == "$full" && $warm == "$(cat "$WORK/r1.out")" && $warm == '0::/'* && $warm == *' /sys/fs/cgroup ro,'*' - tmpfs '* && $(date -r "$inuse" +%s%N) != "$t0" ]]; then
        pass rootless-cgroupns-warm
    else
        fail rootless-cgroupns-warm "full path printed '$(one_line <<<"$full")', warm '$(one_line <<<"$warm")', inuse $t0 -> $(date -r "$inuse" +%s%N)"
    fi
    as_user "$rt" --root "$root" launch --drop-templates >/dev/null 2>&1
    local left=""
    for c in r1 r2 r3; do [[ -e $root/$c ]] && left+="state $c; "; done
    [[ -n $(ls "$root/.launch" 2>/dev/null) ]] && left+="templates: $(ls "$root/.launch" | one_line)"
    pgrep -u $u >/dev/null && left+="processes of uid $u: $(pgrep -a -u $u | one_line)"
    if [[ -z $left ]]; then pass rootless-cgroupns-nothing-left; else fail rootless-cgroupns-nothing-left "$left"; fi
}

inside_main() {
    local start=$SECONDS
    RT=${RDMARUN_BIN:-$REPO/out/rdmarun}
    WORK=$(mktemp -d /run/warm-suite.XXXXXX)
    if [[ ! -f $CG/cgroup.controllers ]]; then
        fail setup "$CG is not a cgroup2 mount (the lab boots with cgroup v2 only)"
    else
        case_cgroup_namespace_served_warm
        case_rootless_cgroup_namespace_served_warm
    fi
    rt launch --drop-templates >/dev/null 2>&1
    rm -rf --one-file-system "$WORK"
    echo "warm-suite: $((passed + failed)) checks in $((SECONDS - start)) s"
    echo "$passed passed, $failed failed"
    ((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
    inside_main
else
    host_main
fi
