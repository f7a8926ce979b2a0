#!/bin/sh
# crun 1.8 refuses to run on a hybrid host whose cgroup2 hierarchy still owns a
# controller ("cgroups in hybrid mode not supported, drop all controllers from
# cgroupv2").  Hiding /sys/fs/cgroup/unified in a private mount namespace makes
# crun see a pure cgroup v1 host without changing the host for anyone else.
# Usage: --runtime tests/conformance/scripts/crun-legacy-cgroups.sh --runtime-name crun
exec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "${CRUN:-/usr/bin/crun}" "$@"' crun "$@"
