#!/bin/sh
# crun 1.8 refuses to run on a hybrid host whose cgroup2 hierarchy still owns a
# controller ("cgroups in hybrid mode not supported, drop all controllers from
# cgroupv2").  Hiding /sys/fs/cgroup/unified in a private mount namespace makes
# crun see a pure cgroup v1 host without changing the host for anyone else.
# Usage: --runtime tests/conformance/scripts/crun-legacy-cgroups.sh --runtime-name crun
# Rootless (run.sh --rootless): "crun-legacy-cgroups.sh --as-user UID:GID ARGS..." unmounts as root,
# then runs crun as that user (setpriv), as a rootless crun on a v1 host would run.
drop=""
if [ "${1:-}" = --as-user ]; then
    drop="setpriv --reuid=${2%%:*} --regid=${2#*:} --init-groups --"
    shift 2
fi
exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec '"$drop"' "${CRUN:-/usr/bin/crun}" "$@"' crun "$@"
