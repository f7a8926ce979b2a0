#!/usr/bin/env bash
# Runs the conformance suite against rdmarun, runc and crun with the documented known differences.
#
#   run.sh --ci [HARNESS-ARGS...]    build the harness, run every case, write out/conformance-host.{md,json};
#                                    the last line is the harness's "N passed, N failed, N skipped"
#   run.sh [HARNESS-ARGS...]         the same runtimes without writing the report (e.g. --case seccomp)
#   run.sh --build-only              only build the harness (out/conformance-harness/), for the kernel lab
#   run.sh --lab DIR [HARNESS-ARGS...]
#                                    inside the kernel lab (cgroup v2): no build, plain crun, report to
#                                    DIR/conformance-lab.{md,json}
#   run.sh [--ci|--lab DIR] --rootless [HARNESS-ARGS...]
#                                    the same runtimes run as an unprivileged user (created when missing,
#                                    with /etc/subuid ranges), `spec --rootless` bundles; --ci writes
#                                    out/conformance-rootless.{md,json}, --lab DIR/conformance-lab-rootless.*
#
# Environment: RDMARUN_BIN (default out/rdmarun), RUNC (default /usr/sbin/runc), CRUN (default /usr/bin/crun),
# CONFORMANCE_HARNESS (the built harness dir, default out/conformance-harness),
# RDMARUN_CONFORMANCE_RUNTIMES (the columns, default "rdmarun runc crun"),
# RDMARUN_ROOTLESS_USER (the --rootless user, default rdmarun-rootless).
# Exit status: the harness's (1 when a cell failed), 2 for usage, 3 when something needed is missing.
set -uo pipefail
# One brace group: bash parses all of it first, so editing this file during a run changes nothing.
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../../.." && pwd -P)
harness_dir=${CONFORMANCE_HARNESS:-$repo/out/conformance-harness}
dll=$harness_dir/Rdmarun.Conformance.dll
expect=$repo/tests/conformance/known-differences.txt
expect_rootless=$repo/tests/conformance/known-differences-rootless.txt

mode=dev lab_dir=""
case ${1:-} in
    --ci) mode=ci; shift ;;
    --build-only) mode=build; shift ;;
    --lab)
        [ $# -ge 2 ] || { echo "usage: run.sh --lab DIR [HARNESS-ARGS...]" >&2; exit 2; }
        mode=lab lab_dir=$2; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0" >&2; exit 2 ;;
esac
rootless=0
[ "${1:-}" = --rootless ] && { rootless=1; shift; }

build_harness() {
    # A lock: ci.sh and run.sh may build at once, and concurrent builds corrupt obj/.
    (
        flock 9
        dotnet build "$repo/tests/conformance/Rdmarun.Conformance/Rdmarun.Conformance.csproj" \
            -c Release -o "$harness_dir" --nologo -v quiet
    ) 9>/tmp/rdmarun-conformance-build.lock >"$repo/out/conformance-harness-build.log" 2>&1 || {
        echo "conformance: building the harness failed (log: out/conformance-harness-build.log):" >&2
        grep -E "error|warning" "$repo/out/conformance-harness-build.log" | head -20 >&2
        return 3
    }
}

mkdir -p "$repo/out"
if [ "$mode" != lab ]; then
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    build_harness || exit 3
    [ "$mode" = build ] && { echo "built $dll"; exit 0; }
fi
[ -f "$dll" ] || { echo "conformance: $dll missing (run: tests/conformance/scripts/run.sh --build-only)" >&2; exit 3; }

rdmarun=${RDMARUN_BIN:-$repo/out/rdmarun}
[ -x "$rdmarun" ] || { echo "conformance: $rdmarun missing or not executable (run: scripts/build.sh)" >&2; exit 3; }

if [ "$mode" = lab ]; then
    report=$lab_dir/conformance-lab
    work=/tmp/rdmarun-conformance-lab
    # Emulated CPUs: commands take ~10x longer than on the host; a slow command is not a failure there.
    scale=6
    # The lab is pure cgroup v2: crun runs as it is.
    crun=(--runtime "${CRUN:-/usr/bin/crun}" --runtime-name crun)
else
    report=$repo/out/conformance-host
    # Per run: a CI run must not collide with somebody's interactive run (the default work dir).
    work=${TMPDIR:-/tmp}/rdmarun-conformance-ci.$$
    # The host is shared with other builds; headroom for a loaded machine.
    scale=2
    # This host is hybrid (v1 + cgroup2 owning hugetlb), which crun 1.8 refuses: see the wrapper.
    crun=(--runtime "$here/crun-legacy-cgroups.sh" --runtime-name crun)
fi
if [ "$rootless" = 1 ]; then
    if [ "$mode" = lab ]; then
        # cgroup v2 (rootless /sys is an rbind of the host's there): crun as it is, the harness drops privileges.
        report=$lab_dir/conformance-lab-rootless
        work=/tmp/rdmarun-conformance-lab-rootless
    else
        report=$repo/out/conformance-rootless
        work=${TMPDIR:-/tmp}/rdmarun-conformance-rootless.$$
        # crun refuses this hybrid host; its wrapper hides cgroup2 as root, then becomes the user itself.
        crun=(--runtime "$here/crun-legacy-cgroups.sh --as-user {uid}:{gid}" --runtime-name crun)
    fi
    user=${RDMARUN_ROOTLESS_USER:-rdmarun-rootless}
    # A regular (not --system) account: Debian's useradd then gives it /etc/subuid and /etc/subgid
    # ranges, which newuidmap/newgidmap (package uidmap) need for the cases with several ids.
    if ! id "$user" >/dev/null 2>&1; then
        useradd -M -d /nonexistent -s /usr/sbin/nologin "$user" || { echo "conformance: cannot create user $user" >&2; exit 3; }
    fi
    # The user must reach the bundles and the binary under the work dir.
    mkdir -p "$work"; chmod 755 "$work"
fi
# A private copy: somebody rebuilding out/rdmarun mid-run must not change the binary under test
# (in the lab, a binary replaced on the host under 9p made rdmarun crash with SIGSEGV).
mkdir -p "$work/bin"
cp "$rdmarun" "$work/bin/rdmarun" || exit 3

args=()
for r in ${RDMARUN_CONFORMANCE_RUNTIMES:-rdmarun runc crun}; do
    case $r in
        rdmarun) args+=(--runtime "$work/bin/rdmarun" --runtime-name rdmarun) ;;
        runc) args+=(--runtime "${RUNC:-/usr/sbin/runc}" --runtime-name runc) ;;
        crun) args+=("${crun[@]}") ;;
        *) echo "conformance: unknown runtime $r in RDMARUN_CONFORMANCE_RUNTIMES (rdmarun, runc, crun)" >&2; exit 2 ;;
    esac
done
# The first entry for a cell counts: the rootless file's entries come before the general ones.
[ "$rootless" = 1 ] && args+=(--rootless "$user" --expect-file "$expect_rootless")
args+=(--expect-file "$expect" --work-dir "$work" --time-scale "$scale")
[ "$mode" = dev ] || args+=(--report "$report.md" --json "$report.json")

dotnet "$dll" "${args[@]}" "$@"
rc=$?
rm -rf --one-file-system "$work"
exit "$rc"
}
