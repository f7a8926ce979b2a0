#!/bin/sh
# trace-runtime.sh LOG RUNTIME ARGS...: records how slurmstepd calls the OCI runtime (uid, gids, cwd,
# argv, environment, parent), then execs the runtime unchanged and logs nothing else.
log=$1; shift
fds="stdin=$(readlink /proc/$$/fd/0) stdout=$(readlink /proc/$$/fd/1) stderr=$(readlink /proc/$$/fd/2)"
{
  echo "=== $(date -u +%H:%M:%S.%N) pid $$ ppid $PPID"
  echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) euid_name=$(id -un)"
  echo "cwd=$(pwd)"
  printf 'argv:'; for a in "$@"; do printf ' [%s]' "$a"; done; echo
  echo "parent: $(tr '\0' ' ' < /proc/$PPID/cmdline 2>/dev/null)"
  echo "$fds"
  echo "env:"; env | sort | sed 's/^/  /'
} >> "$log" 2>&1
exec "$@"
