# Sourced by run.sh: peak resident memory of every runtime process, interleaved by round.
# Runtime commands: GNU time's %M (ru_maxrss of the command, which includes the pre-exec peak of
# the process and the peaks of every child it reaped). The init stage outlives `create`, so it is
# read from /proc/PID/status VmHWM while the container waits in "created" (all set-up done, before
# exec replaces its memory). Lines "PHASE RUNTIME KB" go to $BENCH_RAW/rss.tsv.

rss_of() { # rss_of PHASE RUNTIME CMD...: runs CMD under GNU time and records its peak RSS
  local phase=$1 rt=$2; shift 2
  if ! /usr/bin/time -f %M -o "$BENCH_RAW/time.out" "$@" >/dev/null 2>"$BENCH_RAW/rss.err"; then
    printf 'rss-%s\t%s\t%s\n' "$phase" "$rt" "$(tr '\n' ' ' <"$BENCH_RAW/rss.err" | cut -c1-300)" >>"$BENCH_RAW/failures.tsv"
    return 0
  fi
  printf '%s\t%s\t%s\n' "$phase" "$rt" "$(tail -n1 "$BENCH_RAW/time.out")" >>"$BENCH_RAW/rss.tsv"
}

rss_round() {
  local rt pid
  for rt in "${BENCH_RUNTIMES[@]}"; do
    read -ra c <<<"$(rt_cmd "$rt")"
    "$CTL" "$rt" clean $rt-rss
    rss_of create "$rt" "${c[@]}" create --bundle "$BENCH_BUNDLE" $rt-rss
    pid=$("${c[@]}" state $rt-rss 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
    [ -z "$pid" ] || printf '%s\t%s\t%s\n' init "$rt" "$(awk '/^VmHWM/{print $2}' "/proc/$pid/status")" >>"$BENCH_RAW/rss.tsv"
    rss_of start "$rt" "${c[@]}" start $rt-rss
    "$CTL" "$rt" clean $rt-rss-run
    rss_of run "$rt" "${c[@]}" run --bundle "$BENCH_BUNDLE" $rt-rss-run
    rss_of exec "$rt" "${c[@]}" exec $rt-exec /bin/true
    for _ in $(seq 300); do "${c[@]}" state $rt-rss | grep -q '"stopped"' && break; sleep 0.01; done
    rss_of delete "$rt" "${c[@]}" delete $rt-rss
  done
}
