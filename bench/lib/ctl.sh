#!/usr/bin/env bash
# ctl.sh RUNTIME ACTION ID: puts container ID into a known state before a timed command (hyperfine --prepare).
#   clean    no container ID
#   created  ID created (init waiting for start), /bin/true bundle
#   stopped  ID created, started and its process exited
#   running  ID running `sleep`, from the sleep bundle
# Environment from run.sh: BENCH_STATE, BENCH_BUNDLE, BENCH_SLEEP_BUNDLE, RDMARUN, CRUN_MODE.
set -euo pipefail
source "$(dirname "$0")/runtimes.sh"
rt=$1 action=$2 id=$3
read -ra cmd <<<"$(rt_cmd "$rt")"

status() { "${cmd[@]}" state "$id" 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
wait_status() {
  for _ in $(seq 500); do [ "$(status)" = "$1" ] && return 0; sleep 0.01; done
  echo "ctl: $rt container $id did not reach $1 (status: $(status))" >&2; return 1
}
# A missing container is fine; a runtime killed by a signal is worth a line (a crash, not "no such container").
clean() {
  local err rc=0
  err=$("${cmd[@]}" delete --force "$id" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -lt 128 ] || echo "ctl: $rt delete --force $id died with signal $((rc - 128)): $err" >&2
}

case $action in
  clean) clean ;;
  created) clean; "${cmd[@]}" create --bundle "$BENCH_BUNDLE" "$id" ;;
  stopped) clean; "${cmd[@]}" create --bundle "$BENCH_BUNDLE" "$id"; "${cmd[@]}" start "$id"; wait_status stopped ;;
  running) clean; "${cmd[@]}" create --bundle "$BENCH_SLEEP_BUNDLE" "$id"; "${cmd[@]}" start "$id"; wait_status running ;;
  *) echo "ctl: unknown action $action" >&2; exit 2 ;;
esac
