#!/usr/bin/env bash
# MPI through rdmarun: Open MPI (Debian's 4.1) runs a ring program built here
#   - one rank per container with `rdmarun launch` (as root and as an unprivileged user),
#   - daemons inside two running containers through the `rdmarun rsh` exec agent,
# and checks exit statuses, environment, cleanup after normal runs, after mpirun is killed
# (TERM and KILL), and that the opt-in reaper leaves no zombies.
# Prints PASS/FAIL per case and "N passed, N failed, N skipped" last.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
bin=$(realpath "${RDMARUN_BIN:-$repo/out/rdmarun}")
user=${RDMARUN_MPI_USER:-rdmarun-mpi}
P=0 F=0 S=0
pass() { echo "PASS $1"; P=$((P + 1)); }
fail() { echo "FAIL $1: $2"; F=$((F + 1)); }
skip() { echo "SKIP $1: $2"; S=$((S + 1)); }
finish() { echo "$P passed, $F failed, $S skipped"; [ "$F" -eq 0 ]; exit $?; }

command -v mpirun >/dev/null && command -v mpicc >/dev/null || { skip all "mpirun/mpicc missing (apt: openmpi-bin libopenmpi-dev)"; finish; }
[ -x "$bin" ] || { fail setup "no rdmarun binary at $bin"; finish; }

work=$(mktemp -d /tmp/rdmarun-mpi.XXXXXX)
chmod 755 "$work"
root=$work/state
cleanup() {
  # Warm-launch templates hold a mount namespace and cgroups: drop them before removing $work.
  "$bin" --root "$root" launch --drop-templates >/dev/null 2>&1
  for id in $("$bin" --root "$root" list -q 2>/dev/null); do "$bin" --root "$root" delete -f "$id" >/dev/null 2>&1; done
  pkill -f "$work/ring" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The agent is called by name ("rdmarun rsh"): put the binary first on PATH.
mkdir -p "$work/bin" && cp "$bin" "$work/bin/rdmarun" && export PATH=$work/bin:$PATH
bin=$work/bin/rdmarun
mpicc -O2 -o "$work/ring" "$here/ring.c" || { fail build "mpicc ring.c failed"; finish; }
mpi=(mpirun --allow-run-as-root --oversubscribe --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
"$here/make-host-bundle.sh" "$work/bundle" >/dev/null || { fail setup "make-host-bundle failed"; finish; }
cd "$work"

leftovers() { # root: no container state, no process running the ring program
  local r=$1 ids
  ids=$("$bin" --root "$r" list -q 2>/dev/null)
  [ -n "$ids" ] && { echo "containers left: $ids"; return 1; }
  pgrep -f "$work/ring" >/dev/null && { echo "ring processes left: $(pgrep -af "$work/ring")"; return 1; }
  return 0
}

# 1. four ranks, one container each
out=$(timeout 120 "${mpi[@]}" -np 4 rdmarun --root "$root" launch -b "$work/bundle" -- ./ring 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ring ok: 4 ranks" <<<"$out" && why=$(leftovers "$root"); then pass launch-ring-4-ranks
else fail launch-ring-4-ranks "rc=$rc ${why:-} $(tail -5 <<<"$out")"; fi

# 2. a rank's exit status reaches mpirun
out=$(timeout 120 "${mpi[@]}" -np 2 rdmarun --root "$root" launch -b "$work/bundle" -- ./ring exit 1 3 2>&1); rc=$?
if [ $rc -eq 3 ] && why=$(leftovers "$root"); then pass launch-exit-status
else fail launch-exit-status "mpirun exited $rc, expected 3 ${why:-}"; fi

# 3. the rank sees the launcher's MPI variables, --env, its cwd and the host's namespaces
out=$(OMPI_TEST_VAR=passed NOT_PASSED=leak timeout 60 "${mpi[@]}" -np 2 rdmarun --root "$root" launch -b "$work/bundle" --env EXTRA=1 -- \
  sh -c 'echo "rank=$OMPI_COMM_WORLD_RANK var=$OMPI_TEST_VAR np=${NOT_PASSED:-unset} extra=$EXTRA cwd=$(pwd) net=$(readlink /proc/self/ns/net) pid=$$"' 2>&1); rc=$?
hostnet=$(readlink /proc/self/ns/net)
if [ $rc -eq 0 ] && grep -qF "rank=0 var=passed np=unset extra=1 cwd=$work net=$hostnet" <<<"$out" && grep -q "rank=1 var=passed" <<<"$out" \
   && ! grep -q "pid=1$" <<<"$out"; then pass launch-environment
else fail launch-environment "rc=$rc: $out"; fi

# 4. mpirun killed with SIGTERM while ranks run: every rank container is removed
wait_hanging() { for _ in $(seq 100); do [ "$(grep -c hanging "$1" 2>/dev/null)" -ge "$2" ] && return 0; sleep 0.2; done; return 1; }
wait_clean() { for _ in $(seq 75); do leftovers "$1" >/dev/null && return 0; sleep 0.2; done; leftovers "$1"; }
for sig in TERM KILL; do
  "${mpi[@]}" -np 2 rdmarun --root "$root" launch -b "$work/bundle" -- ./ring hang >"$work/hang.out" 2>&1 &
  mpid=$!
  if ! wait_hanging "$work/hang.out" 2; then fail "launch-mpirun-killed-$sig" "ranks did not start: $(tail -3 "$work/hang.out")"; kill -9 $mpid; continue; fi
  kill -$sig $mpid; wait $mpid 2>/dev/null
  if why=$(wait_clean "$root"); then pass "launch-mpirun-killed-$sig"; else fail "launch-mpirun-killed-$sig" "$why"; fi
done

# 4b. the launcher itself SIGKILLed (no handler can run): the rank dies with it (parent-death
# signal) and the guard process removes the container.
"$bin" --root "$root" launch -b "$work/bundle" -- sh -c 'echo "rank 0 hanging"; exec sleep 4321' >"$work/solo.out" 2>&1 &
lpid=$!
if wait_hanging "$work/solo.out" 1; then
  kill -KILL $lpid; wait $lpid 2>/dev/null
  for _ in $(seq 50); do pgrep -f "sleep 4321" >/dev/null || break; sleep 0.1; done
  pgrep -f "sleep 4321" >/dev/null && why="the rank still runs" || why=""
  if [ -z "$why" ] && why=$(wait_clean "$root"); then pass launch-killed-9-guard-cleans; else fail launch-killed-9-guard-cleans "$why"; fi
else
  fail launch-killed-9-guard-cleans "rank did not start: $(tail -3 "$work/solo.out")"; kill -9 $lpid 2>/dev/null
fi

# 4c. warm launch: ranks joining the template the runs above published
. "$here/warm-cases.sh"

# 5. as an unprivileged user: rootless containers with the user's own uid
if ! id "$user" >/dev/null 2>&1; then useradd -M -s /bin/sh "$user" 2>/dev/null; fi
if id "$user" >/dev/null 2>&1; then
  uid=$(id -u "$user")
  udir=$work/user && mkdir -p "$udir" && cp "$work/ring" "$udir/" && chown -R "$user" "$udir"
  su "$user" -c "$here/make-host-bundle.sh $udir/bundle --rootless" >/dev/null 2>&1
  uroot=$udir/state
  out=$(su "$user" -c "cd $udir && PATH=$work/bin:\$PATH timeout 120 ${mpi[*]} -np 3 rdmarun --root $uroot launch -b $udir/bundle -- ./ring" 2>&1); rc=$?
  if [ $rc -eq 0 ] && grep -q "ring ok: 3 ranks" <<<"$out" && why=$(leftovers "$uroot"); then pass launch-rootless-ring
  else fail launch-rootless-ring "rc=$rc ${why:-} $(tail -5 <<<"$out")"; fi
  out=$(su "$user" -c "cd $udir && PATH=$work/bin:\$PATH timeout 60 rdmarun --root $uroot launch -b $udir/bundle -- sh -c 'id -u; touch made-by-rank'" 2>&1); rc=$?
  owner=$(stat -c %u "$udir/made-by-rank" 2>/dev/null)
  if [ $rc -eq 0 ] && [ "$(head -1 <<<"$out")" = "$uid" ] && [ "$owner" = "$uid" ]; then pass launch-rootless-keeps-uid
  else fail launch-rootless-keeps-uid "rc=$rc id=$out file owner=$owner (want $uid)"; fi
else
  skip launch-rootless "cannot create user $user"
fi

# 6. the exec agent: orted inside two running containers (host network, own hostnames)
for c in node1 node2; do
  "$here/make-host-bundle.sh" "$work/$c" --reaper --hostname "$c" --agent --bind "$work" >/dev/null
  "$bin" --root "$root" run -d -b "$work/$c" "$c" >/dev/null 2>&1 || fail "rsh-setup" "run -d $c failed"
done
printf 'node1 slots=2\nnode2 slots=2\n' >"$work/hosts"
rsh=(--hostfile "$work/hosts" --mca plm_rsh_agent "rdmarun --root $root rsh")
out=$(timeout 120 "${mpi[@]}" -np 4 "${rsh[@]}" "$work/ring" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ring ok: 4 ranks" <<<"$out"; then pass rsh-ring-two-containers
else fail rsh-ring-two-containers "rc=$rc $(tail -8 <<<"$out")"; fi

# No zombie and no leftover daemon in the hosts after the job (the reaper reaped orted).
procs() { "$bin" --root "$root" exec "$1" ps -o stat=,args= 2>&1 | grep -v "ps -o"; }
sleep 0.5
bad=""
for c in node1 node2; do p=$(procs $c); grep -qE '^Z|orted|ring' <<<"$p" && bad+="$c: $p; "; done
if [ -z "$bad" ]; then pass rsh-no-zombies-after-job; else fail rsh-no-zombies-after-job "$bad"; fi

# mpirun killed during an rsh job: its daemons and ranks in the containers end, no zombies.
"${mpi[@]}" -np 4 "${rsh[@]}" "$work/ring" hang >"$work/rsh-hang.out" 2>&1 &
mpid=$!
if wait_hanging "$work/rsh-hang.out" 4; then
  kill -TERM $mpid; wait $mpid 2>/dev/null
  bad=""
  for _ in $(seq 50); do
    bad=""; for c in node1 node2; do p=$(procs $c); grep -qE '^Z|orted|ring' <<<"$p" && bad+="$c: $p; "; done
    [ -z "$bad" ] && break; sleep 0.2
  done
  if [ -z "$bad" ]; then pass rsh-mpirun-killed; else fail rsh-mpirun-killed "$bad"; fi
else
  fail rsh-mpirun-killed "ranks did not start: $(tail -5 "$work/rsh-hang.out")"; kill -9 $mpid 2>/dev/null
fi

# Without the reaper the same orphans stay as zombies: the contrast shows the reaper matters.
"$here/make-host-bundle.sh" "$work/plain" >/dev/null
"$bin" --root "$root" run -d -b "$work/plain" plain >/dev/null 2>&1
"$bin" --root "$root" rsh plain 'sleep 0.1 & exit 0'; sleep 0.5
zr=$(procs plain | grep -c '^Z')
"$bin" --root "$root" rsh node1 'sleep 0.1 & exit 0'; sleep 0.5
zn=$(procs node1 | grep -c '^Z')
if [ "$zr" -ge 1 ] && [ "$zn" -eq 0 ]; then pass reaper-reaps-orphans
else fail reaper-reaps-orphans "zombies without reaper: $zr (want >=1), with reaper: $zn (want 0)"; fi

for c in node1 node2 plain; do "$bin" --root "$root" delete -f "$c" >/dev/null 2>&1; done
if why=$(leftovers "$root"); then pass rsh-cleanup; else fail rsh-cleanup "$why"; fi
finish
