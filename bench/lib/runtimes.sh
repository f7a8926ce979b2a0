# Sourced by run.sh: the command prefix of each runtime under test, each with its own state root.
# BENCH_STATE, RDMARUN, CRUN_MODE (nsenter|native) and CRUN_NS come from the caller; CRUN replaces the crun
# binary (CRUN=/bin/true measures what entering the crun namespace alone costs).

BENCH_RUNTIMES=(rdmarun runc crun)

# rt_cmd NAME: the words that start NAME with its state root (no shell syntax: hyperfine -N splits on spaces).
rt_cmd() {
  case $1 in
    rdmarun) echo "$RDMARUN --root $BENCH_STATE/rdmarun" ;;
    runc) echo "runc --root $BENCH_STATE/runc" ;;
    # crun 1.8 refuses a hybrid cgroup host: it runs in a mount namespace without the cgroup2 mount (crun_ns.sh).
    crun) if [ "${CRUN_MODE:-nsenter}" = native ]; then echo "${CRUN:-crun} --root $BENCH_STATE/crun"
          else echo "nsenter --mount=$CRUN_NS ${CRUN:-crun} --root $BENCH_STATE/crun"; fi ;;
    *) echo "bench: unknown runtime $1" >&2; return 2 ;;
  esac
}
