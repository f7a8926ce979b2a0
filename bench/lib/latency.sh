# Sourced by run.sh: latency rounds with hyperfine, the runtimes interleaved (A B C A B C ...).
# Each (metric, runtime, round) is one hyperfine call writing $BENCH_RAW/METRIC.RUNTIME.rROUND.json.

CTL="$(dirname "${BASH_SOURCE[0]}")/ctl.sh"

# hf METRIC RUNTIME ROUND RUNS PREPARE COMMAND: one hyperfine call; PREPARE empty for none.
hf() {
  local metric=$1 rt=$2 round=$3 runs=$4 prep=$5 cmd=$6 warm=1
  [ "$runs" -le 2 ] && warm=0
  local args=(-N --style none -w "$warm" -r "$runs" --export-json "$BENCH_RAW/$metric.$rt.r$round.json")
  [ -n "$prep" ] && args+=(-p "$prep")
  # A failing runtime is a result, not the end of the benchmark: it is listed in the report.
  hyperfine "${args[@]}" "$cmd" >/dev/null 2>"$BENCH_RAW/hf.err" || {
    echo "bench: $metric with $rt failed: $cmd" >&2
    printf '%s\t%s\t%s\n' "$metric" "$rt" "$(grep -v Warning "$BENCH_RAW/hf.err" | tr '\n' ' ' | cut -c1-300)" >>"$BENCH_RAW/failures.tsv"
  }
}

# latency_round ROUND: every latency metric once for every runtime.
latency_round() {
  local r=$1 rt c
  for metric in run create start delete exec parallel; do
    printf '  round %s: %-8s' "$r" "$metric" >&2
    for rt in "${BENCH_RUNTIMES[@]}"; do
      c=$(rt_cmd "$rt")
      case $metric in
        run) hf run "$rt" "$r" "$RUNS" "" "$c run --bundle $BENCH_BUNDLE $rt-run" ;;
        create) hf create "$rt" "$r" "$RUNS" "$CTL $rt clean $rt-create" "$c create --bundle $BENCH_BUNDLE $rt-create" ;;
        start) hf start "$rt" "$r" "$RUNS" "$CTL $rt created $rt-start" "$c start $rt-start" ;;
        delete) hf delete "$rt" "$r" "$RUNS" "$CTL $rt stopped $rt-delete" "$c delete $rt-delete" ;;
        exec) hf exec "$rt" "$r" "$RUNS" "" "$c exec $rt-exec /bin/true" ;;
        parallel) hf parallel "$rt" "$r" "$PAR_RUNS" "" "$BENCH_LIB/parallel.sh $rt $PAR_N" ;;
      esac
      printf ' %s' "$rt" >&2
    done
    echo >&2
  done
  # What entering crun's namespace alone costs (crun replaced by /bin/true), subtracted from crun's times;
  # and, for the record, what the per-call legacy-cgroup script would cost instead.
  if [ "${CRUN_MODE:-nsenter}" = nsenter ]; then
    CRUN=/bin/true hf wrapper crun "$r" "$RUNS" "" "$(CRUN=/bin/true rt_cmd crun) run crun-wrap"
    CRUN=/bin/true hf wrapper-parallel crun "$r" "$PAR_RUNS" "" "$BENCH_LIB/parallel.sh crun $PAR_N"
    CRUN=/bin/true hf legacy-script crun "$r" "$RUNS" "" "$CRUN_SCRIPT run crun-wrap"
  fi
}

# latency_setup / latency_teardown: the long-running containers that exec enters, and leftovers.
latency_setup() { local rt; for rt in "${BENCH_RUNTIMES[@]}"; do "$CTL" "$rt" running $rt-exec; done; }
latency_teardown() {
  local rt id
  for rt in "${BENCH_RUNTIMES[@]}"; do
    for id in $rt-exec $rt-run $rt-create $rt-start $rt-delete $rt-rss $rt-rss-run $rt-rss-exec; do
      "$CTL" "$rt" clean "$id"
    done
  done
}
