#!/usr/bin/env bash
# lab-rdma-guest.sh: inside the kernel lab, RDMA bandwidth and latency on soft-RoCE rxe0, bare and
# from granted rdmarun containers (shared netns mode, host network), interleaved per round.
# perftest's ib_write_bw / ib_write_lat: server and client on rxe0 over 127.0.0.1. Writes
# $LAB_SHARE/raw/rdma.tsv (round, variant, test, value) for report.py.
set -uo pipefail
RDMARUN=${RDMARUN:?}
ROUNDS=${BENCH_ROUNDS:-3}
out=$LAB_SHARE/raw/rdma.tsv
work=$(mktemp -d /run/bench-rdma.XXXXXX)
hostroot=$work/hostroot
mkdir -p "$hostroot" "$LAB_SHARE/raw" && mount --bind / "$hostroot" && mount -o remount,bind,ro "$hostroot" || exit 1
trap 'umount "$hostroot" 2>/dev/null; rm -rf "$work"' EXIT
: >"$out"

# A bundle whose image is the lab's root (perftest is installed there), host network, rxe0 granted.
bundle() { # name args...
    local dir=$work/$1 args; shift
    mkdir -p "$dir" && (cd "$dir" && "$RDMARUN" spec) || return 1
    args=$(jq -cn '$ARGS.positional' --args -- "$@")
    jq ".process.terminal = false | .process.args = $args | .root = {\"path\": \"$hostroot\", \"readonly\": true}
        | .linux.namespaces |= map(select(.type != \"network\"))
        | .annotations[\"org.rdmarun.rdma.devices\"] = \"rxe0\"" "$dir/config.json" >"$dir/c.new" && mv "$dir/c.new" "$dir/config.json"
}
# perftest prints a table; the value is the last numeric line's column (bw: BW average Gb/s; lat: t_typical usec).
bw_of() { awk '/^ *65536 /{print $4}' "$1" | tail -1; }
lat_of() { awk '/^ *2 /{print $5}' "$1" | tail -1; }
server_args() { case $1 in bw) echo "ib_write_bw -d rxe0 -x 1 -F -s 65536 -n 500 --report_gbits" ;; lat) echo "ib_write_lat -d rxe0 -x 1 -F -s 2 -n 500" ;; esac; }

one() { # round variant test
    local r=$1 v=$2 t=$3 srv s c val cmd
    read -r -a cmd <<<"$(server_args "$t")"
    if [[ $v == bare ]]; then
        "${cmd[@]}" >"$work/s.out" 2>&1 &
        srv=$!
        for _ in $(seq 60); do "${cmd[@]}" 127.0.0.1 >"$work/c.out" 2>&1 && break; sleep 0.5; done
    else
        s=srv-$r-$t c=cli-$r-$t
        bundle "$s" "${cmd[@]}" && bundle "$c" sh -c "for i in \$(seq 60); do $(server_args "$t") 127.0.0.1 && exit 0; sleep 0.5; done; exit 1" || return 1
        (cd "$work/$s" && "$RDMARUN" --root /run/bench-rdma run "$s" >"$work/s.out" 2>&1 </dev/null) &
        srv=$!
        (cd "$work/$c" && "$RDMARUN" --root /run/bench-rdma run "$c" >"$work/c.out" 2>&1 </dev/null)
    fi
    wait "$srv"
    if [[ $t == bw ]]; then val=$(bw_of "$work/c.out"); else val=$(lat_of "$work/c.out"); fi
    [[ $r == 0 ]] && return 0 # warm-up round: not recorded
    if [[ -n $val ]]; then printf '%s\t%s\t%s\t%s\n' "$r" "$v" "$t" "$val" >>"$out"
    else echo "bench-rdma: $v $t round $r gave no result: $(tail -3 "$work/c.out" | tr '\n' ' ')" >&2; fi
}

for r in $(seq 0 "$ROUNDS"); do
    for t in bw lat; do for v in bare rdmarun; do one "$r" "$v" "$t"; done; done
    echo "  lab rdma round $r done" >&2
done
