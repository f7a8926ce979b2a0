#!/bin/bash
# Checks lab.sh itself from the caller's side: output and status relay, the share, and that
# every failure (timeout, panic, missing rxe, missing cache, a killed harness) is a distinct
# non-zero exit with a "kernel-lab:" message and leaves no qemu behind.
# Prints "PASS name" / "FAIL name: reason" and "N passed, N failed"; exit 0 only if all passed.
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
LAB=$LAB_DIR/lab.sh
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
one_line() { tr '\n' ' ' | cut -c1-300; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-harness.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
share=$work/share
mkdir -p "$share"

# run NAME LAB-ARGS... : runs lab.sh, leaves $out, $err, $rc
run() {
    "$LAB" run "$@" >"$work/out" 2>"$work/err"
    rc=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}

run -- 'echo out-line; echo err-line >&2; exit 42'
if [[ $rc == 42 && $out == out-line && $err == err-line ]]; then
    pass status-and-streams
else
    fail status-and-streams "want rc 42, stdout 'out-line', stderr 'err-line'; got rc $rc, stdout '$(one_line <<<"$out")', stderr '$(one_line <<<"$err")'"
fi

# Large output arrives whole (the relay must not truncate or overwrite).
run -- 'seq 1 200000'
want=$(seq 1 200000 | sha256sum)
got=$(sha256sum <"$work/out")
if [[ $rc == 0 && $got == "$want" ]]; then pass large-stdout; else fail large-stdout "rc $rc, $(wc -l <"$work/out") lines, checksum differs from seq 1 200000"; fi

# The caller's stdout file is appended to, not overwritten.
echo before >"$work/append"
"$LAB" run -- 'echo after' >>"$work/append" 2>/dev/null
if [[ $(cat "$work/append") == $'before\nafter' ]]; then pass stdout-append; else fail stdout-append "file holds '$(one_line <"$work/append")'"; fi

# shellcheck disable=SC2016 # $LAB_SHARE expands in the guest
(cd "$share" && "$LAB" run --share "$share" -- 'pwd; echo written >"$LAB_SHARE/result"' >"$work/out" 2>"$work/err")
rc=$?
if [[ $rc == 0 && $(cat "$work/out") == "$share" && $(cat "$share/result" 2>/dev/null) == written ]]; then
    pass share-and-cwd
else
    fail share-and-cwd "rc $rc, pwd '$(one_line <"$work/out")', result '$(cat "$share/result" 2>&1)', stderr '$(one_line <"$work/err")'"
fi

run --timeout 1 -- true
if [[ $rc == 124 && $err == *"kernel-lab: boot timed out"* ]]; then pass boot-timeout; else fail boot-timeout "rc $rc, stderr '$(one_line <<<"$err")'"; fi

run --timeout 60 -- 'echo started; sleep 600'
if [[ $rc == 124 && $err == *"kernel-lab: command timed out"* && $out == started ]]; then
    pass command-timeout
elif [[ $rc == 124 && $err == *"kernel-lab: boot timed out"* ]]; then
    fail command-timeout "the boot alone took over 60 s (host overloaded?)"
else
    fail command-timeout "rc $rc, stdout '$out', stderr '$(one_line <<<"$err")'"
fi

LAB_KERNEL_ARGS="console=ttyS0 quiet panic=-1 rdinit=/nonexistent" run -- true
if [[ $rc == 125 && $err == *"kernel-lab: kernel panic"* ]]; then pass kernel-panic; else fail kernel-panic "rc $rc, stderr '$(one_line <<<"$err")'"; fi

LAB_FAULT=no-rxe run -- 'echo must-not-run'
if [[ $rc == 125 && $err == *"kernel-lab: guest setup failed: rdma link add rxe0"* && -z $out ]]; then
    pass rxe-missing
else
    fail rxe-missing "rc $rc, stdout '$out', stderr '$(one_line <<<"$err")'"
fi

RDMARUN_LAB_CACHE=$work/no-cache run -- true
if [[ $rc == 125 && $err == *"kernel-lab: no kernel in"* ]]; then pass cache-missing; else fail cache-missing "rc $rc, stderr '$(one_line <<<"$err")'"; fi

# A wrong expectation inside the guest is a failure the caller can read: selftest --broken expects
# rdma.max "hca_handle=7" where the kernel says "max" (what ci.sh --broken runs inside its boot).
"$LAB_DIR/selftest.sh" --broken >"$work/out" 2>"$work/err"
rc=$?
want_line="FAIL rdma-max-default: rdma.max reads 'rxe0 hca_handle=max hca_object=max', want 'rxe0 hca_handle=7 hca_object=max'"
if [[ $rc != 0 ]] && grep -qxF "$want_line" "$work/out" && grep -qE '^[0-9]+ passed, 1 failed' "$work/out"; then
    pass broken-expectation-fails
else
    fail broken-expectation-fails "rc $rc, stdout '$(tail -n 5 "$work/out" | one_line)', stderr '$(one_line <"$work/err")'"
fi

# A harness killed mid-run takes its qemu with it.
"$LAB" run -- 'sleep 600' >/dev/null 2>&1 &
lab_pid=$!
qemu_pid=""
for _ in $(seq 1 50); do
    qemu_pid=$(pgrep -P "$lab_pid" -f qemu-system-x86_64 | head -n1)
    [[ -n $qemu_pid ]] && break
    sleep 0.2
done
sleep 2
kill -TERM "$lab_pid"
wait "$lab_pid"
rc=$?
sleep 0.5
if [[ -z $qemu_pid ]]; then
    fail killed-harness "no qemu child of lab.sh seen"
elif kill -0 "$qemu_pid" 2>/dev/null; then
    fail killed-harness "qemu $qemu_pid still running after lab.sh got SIGTERM"
    kill -9 "$qemu_pid"
elif [[ $rc != 143 ]]; then
    fail killed-harness "lab.sh exited $rc after SIGTERM, want 143"
else
    pass killed-harness
fi

echo "$passed passed, $failed failed"
((failed == 0))
