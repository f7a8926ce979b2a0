#!/usr/bin/env bash
# runc-rank.sh BUNDLE PROG [ARGS...]: one MPI rank under plain runc, the way sites wrap runc today
# (the comparison point of bench-mpi.sh, doing what `rdmarun launch` does in-process): a per-rank
# config from BUNDLE's with the rank's command, cwd, the caller's uid/gid, the launcher's
# OMPI_/PMIX_/... variables, the host's pid/ipc/uts namespaces, /tmp, /dev/shm and cwd bound;
# then `runc run` with a unique id and the per-rank directory removed.
set -euo pipefail
bundle=$(realpath "$1"); shift
dir=$(mktemp -d /tmp/runc-rank.XXXXXX)
trap 'rm -rf "$dir"' EXIT
id=rank-$$-$RANDOM
env_json=$({ env | grep -E '^(OMPI_|PMIX_|PMI_|SLURM_|UCX_|OPAL_|PRTE_|HYDRA_)' || true; } | jq -R . | jq -s .)
args_json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
jq --arg root "$bundle/rootfs" --arg cwd "$PWD" --argjson env "$env_json" --argjson args "$args_json" \
   --argjson uid "$(id -u)" --argjson gid "$(id -g)" '
  .root.path = $root | .process.args = $args | .process.cwd = $cwd
  | .process.env += $env | .process.user = {uid: $uid, gid: $gid}
  | .linux.namespaces |= map(select(.type != "pid" and .type != "ipc" and .type != "uts" and .type != "network"))
  | del(.hostname)
  | .mounts += [
      {destination: "/tmp", type: "bind", source: "/tmp", options: ["rbind"]},
      {destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind"]},
      {destination: $cwd, type: "bind", source: $cwd, options: ["rbind"]}]' \
  "$bundle/config.json" >"$dir/config.json"
runc --root "${RUNC_RANK_ROOT:-/run/runc-rank}" run --bundle "$dir" "$id" </dev/null
