#!/usr/bin/env bash
# make-rootless-bundle.sh DIR USER [ARGS...]: a busybox bundle an unprivileged USER can run with a
# rootless runtime (Slurm runs RunTimeRun as the job user). Base: scripts/make-bundle.sh for the rootfs
# and command, `spec --rootless` for the rest: a user namespace mapping container root to USER's
# uid/gid (one id each: no newuidmap needed), host network, /sys as a read-only rbind, devpts without
# gid=, no linux.resources (an unprivileged user cannot write cgroup limits here).
# The tree is chowned to USER so the runtime can create mount points in it (Slurm's /tmp/slurm/*).
# RDMARUN_BIN picks the binary whose `spec` is used (default out/rdmarun; runc works too).
set -euo pipefail
dir=$1 user=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
bin=${RDMARUN_BIN:-$here/../../out/rdmarun}
uid=$(id -u "$user") gid=$(id -g "$user")
RDMARUN_BIN=$bin "$here/../../scripts/make-bundle.sh" "$dir" "$@"
tmp=$(mktemp -d)
(cd "$tmp" && "$bin" spec --rootless)
jq --slurpfile base "$dir/config.json" --argjson uid "$uid" --argjson gid "$gid" '
  .process.args = $base[0].process.args
  | .process.terminal = false
  | .linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}]
  | .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}]
  | .mounts |= map(if .type == "devpts" then .options |= map(select(startswith("gid=") | not)) else . end)
  | del(.linux.resources)
' "$tmp/config.json" > "$tmp/rootless.json"
mv "$tmp/rootless.json" "$dir/config.json"
rm -rf "$tmp"
chown -R "$uid:$gid" "$dir"
