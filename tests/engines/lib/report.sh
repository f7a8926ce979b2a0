# Case bookkeeping for the engine suite: each case prints one PASS/FAIL/SKIP line; a failing
# case also prints what it saw. Sourced by run.sh.
ENG_PASSED=0 ENG_FAILED=0 ENG_SKIPPED=0
ENG_FAILED_NAMES=()

# Every engine command goes through this: a hung daemon fails one case instead of the whole run.
t() { timeout -k 5 "${ENG_CMD_TIMEOUT:-60}" "$@"; }

ENG_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# with_tty COMMAND-LINE [INPUT]: runs the command line on a pseudo-terminal (an engine client
# needs one for -t), INPUT typed into it, and prints all it wrote (lib/pty-run.py says why
# not script(1)). The status is the command's.
with_tty() { printf '%s' "${2:-}" | t /usr/bin/python3 "$ENG_LIB/pty-run.py" bash -c "$1"; }

# case NAME FUNCTION [ARGS...]: runs FUNCTION in a subshell with its output kept aside.
# Exit 0 = pass, 77 = skip (the last line of output is the reason), anything else = fail.
# ENG_VERBOSE=1 prints what passing cases saw too.
case_run() {
    local name=$1; shift
    if [ -n "${ENG_FILTER:-}" ] && [[ $name != $ENG_FILTER ]]; then return 0; fi
    local out="$ENG_TMP/case.out" rc t0=$SECONDS
    ( set -uo pipefail; "$@" ) >"$out" 2>&1
    rc=$?
    # Seconds per case: where the suite's time goes (the kernel lab's emulated CPU is slow).
    local secs=$((SECONDS - t0))
    case $rc in
        0) ENG_PASSED=$((ENG_PASSED + 1)); echo "PASS $name (${secs} s)"
           if [ "${ENG_VERBOSE:-0}" = 1 ]; then sed 's/^/    | /' "$out"; fi ;;
        77) ENG_SKIPPED=$((ENG_SKIPPED + 1)); echo "SKIP $name: $(tail -1 "$out")" ;;
        *) ENG_FAILED=$((ENG_FAILED + 1)); ENG_FAILED_NAMES+=("$name")
           echo "FAIL $name (exit $rc, ${secs} s)"; tail -25 "$out" | sed 's/^/    | /' ;;
    esac
}

# skip_case NAME REASON: a case (or group) a missing engine cannot run, counted as skipped.
skip_case() { ENG_SKIPPED=$((ENG_SKIPPED + 1)); echo "SKIP $1: $2"; }

# Assertions print what differed and fail the case.
expect_eq() { # what expected actual
    [ "$2" = "$3" ] && return 0
    printf 'expected %s = [%s], got [%s]\n' "$1" "$2" "$3"; return 1
}
expect_match() { # what extended-regex actual
    grep -qE -- "$2" <<<"$3" && return 0
    printf 'expected %s to match /%s/, got [%s]\n' "$1" "$2" "$3"; return 1
}
expect_no_match() { # what extended-regex actual
    grep -qE -- "$2" <<<"$3" || return 0
    printf 'expected %s not to match /%s/, got [%s]\n' "$1" "$2" "$3"; return 1
}
fail() { echo "$*"; return 1; }
skip() { echo "$*"; exit 77; }

# Polls CMD... until it succeeds, for up to $1 seconds (engines report state asynchronously).
wait_for() {
    local secs=$1; shift
    local end=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}

report_summary() {
    echo
    [ ${#ENG_FAILED_NAMES[@]} -gt 0 ] && printf 'failed: %s\n' "${ENG_FAILED_NAMES[@]}"
    echo "$ENG_PASSED passed, $ENG_FAILED failed, $ENG_SKIPPED skipped"
}
