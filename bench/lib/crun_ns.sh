#!/usr/bin/env bash
# crun_ns.sh up|down DIR: a persistent mount namespace without /sys/fs/cgroup/unified, bound to DIR/mnt.
# Same trick as tests/conformance/scripts/crun-legacy-cgroups.sh (crun 1.8 refuses a hybrid cgroup host), but
# made once: that script unshares and unmounts on every call, and the umount waits for an RCU grace period
# (tens of ms, over 100 ms on a loaded host), which would swamp crun's own time. `nsenter --mount=DIR/mnt`
# costs about as much as one exec, and is measured and subtracted (metric "wrapper").
set -euo pipefail
action=$1 dir=$2
case $action in
  up)
    mkdir -p "$dir"
    # The namespace file must sit on a private mount, or binding it would propagate and loop.
    mount --bind "$dir" "$dir"
    mount --make-private "$dir"
    touch "$dir/mnt"
    unshare --mount="$dir/mnt" --propagation private umount /sys/fs/cgroup/unified
    ;;
  down)
    umount "$dir/mnt" 2>/dev/null || true
    umount "$dir" 2>/dev/null || true
    ;;
  *) echo "crun_ns: unknown action $action" >&2; exit 2 ;;
esac
