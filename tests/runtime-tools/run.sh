#!/usr/bin/env bash
# Builds the OCI runtime-tools validation suite (validation/* and cmd/runtimetest) from a local
# snapshot of its source and runs every validation test against one or more runtimes, writing a
# pass/fail table. See README.md beside this file for where the source comes from and why it is
# never committed here.
#
#   run.sh --runtime /usr/sbin/runc --runtime /usr/bin/crun --report out.md
#
# Exit status: 0 when the suite ran (whatever the runtimes scored) or was skipped because the
# source, go or root is missing; 1 when a pair listed in --expect did not pass; 2 on usage or
# build errors.
set -uo pipefail

usage() {
	cat <<'EOF'
usage: run.sh --runtime PATH [--runtime PATH]... [options]
  --runtime PATH   runtime binary to test (repeatable)
  --report FILE    write a markdown results table to FILE
  --tests REGEX    only run tests whose name matches REGEX (grep -E)
  --timeout SECS   per-test timeout (default 120)
  --workdir DIR    build/log directory (default /var/cache/rdmarun-rt/work)
  --expect FILE    lines "RUNTIME-BASENAME TEST": exit 1 unless each of those pairs passes
  --no-install     do not apt-get install golang-go when go is missing
environment:
  RUNTIME_TOOLS_SRC  runtime-tools checkout or bare git dir (default /var/cache/rdmarun-rt/src)
  RUNTIME_TOOLS_REF  commit to build from a git source (default: newest first-parent commit
                     whose go.mod accepts the installed go)
EOF
}

runtimes=()
report=""
filter=""
timeout_s=120
workdir="${RUNTIME_TOOLS_WORKDIR:-/var/cache/rdmarun-rt/work}"
expect=""
install=1
while [ $# -gt 0 ]; do
	case "$1" in
		--runtime) runtimes+=("$2"); shift 2 ;;
		--report) report="$2"; shift 2 ;;
		--tests) filter="$2"; shift 2 ;;
		--timeout) timeout_s="$2"; shift 2 ;;
		--workdir) workdir="$2"; shift 2 ;;
		--expect) expect="$2"; shift 2 ;;
		--no-install) install=0; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
[ ${#runtimes[@]} -gt 0 ] || { echo "run.sh: at least one --runtime is required" >&2; usage >&2; exit 2; }
case "$report" in ""|/*) ;; *) report="$PWD/$report" ;; esac
case "$expect" in ""|/*) ;; *) expect="$PWD/$expect" ;; esac

log() { echo "runtime-tools: $*" >&2; }

# A missing prerequisite is not a runtime failure: say why, count the suite as skipped, exit 0,
# so CI machines without the snapshot stay green and the reason is visible in the log.
skip() {
	echo "runtime-tools: skipped: $*"
	if [ -n "$report" ]; then
		printf '# runtime-tools validation\n\nskipped: %s\n' "$*" >"$report"
	fi
	echo "runtime-tools: 0 passed, 0 failed, 1 skipped"
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip "must run as root (the validation tests create containers)"

src="${RUNTIME_TOOLS_SRC:-/var/cache/rdmarun-rt/src}"
[ -e "$src" ] || skip "runtime-tools source not available: $src does not exist (set RUNTIME_TOOLS_SRC to a checkout or bare git dir of opencontainers/runtime-tools; see tests/runtime-tools/README.md)"

# --- go toolchain ------------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
	if [ "$install" -eq 1 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing golang-go"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q golang-go >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q golang-go >/dev/null 2>&1; }
	fi
	command -v go >/dev/null 2>&1 || skip "go toolchain not available (apt-get install golang-go failed or --no-install)"
fi
for tool in git tar timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not available"
done
go_version="$(go env GOVERSION)"          # e.g. go1.19.8
go_minor="$(echo "$go_version" | sed -E 's/^go1\.([0-9]+).*/\1/')"

# --- source ------------------------------------------------------------------------------------
# go.mod's "go 1.N" line of a commit; HEAD needs go >= 1.21 (its vendored moby/sys/capability
# imports the slices package), Debian 12 ships 1.19, so older toolchains build an older commit.
# safe.directory: a snapshot owned by another user is still only read here.
g() { git -c safe.directory='*' -C "$src" "$@"; }
gomod_minor() { g show "$1:go.mod" 2>/dev/null | awk '$1=="go"{split($2,v,".");print v[2];exit}'; }

if g rev-parse --git-dir >/dev/null 2>&1; then
	ref="${RUNTIME_TOOLS_REF:-}"
	if [ -z "$ref" ]; then
		for c in $(g rev-list --first-parent HEAD 2>/dev/null | head -200); do
			m="$(gomod_minor "$c")"
			if [ -n "$m" ] && [ "$m" -le "$go_minor" ]; then ref="$c"; break; fi
		done
		[ -n "$ref" ] || skip "no runtime-tools commit in $src builds with $go_version"
	fi
	commit="$(g rev-parse --verify "$ref^{commit}" 2>/dev/null)" ||
		skip "runtime-tools source not available: $ref is not a commit in $src"
	g cat-file -e "$commit:validation" 2>/dev/null &&
		g cat-file -e "$commit:cmd/runtimetest" 2>/dev/null ||
		skip "runtime-tools source not available: $src ($commit) has no validation/ or cmd/runtimetest"
	commit_desc="$(g log -1 --format='%h (%cs)' "$commit")"
	build="$workdir/build-${commit:0:12}-$go_version"
	pkg="$build/gopath/src/github.com/opencontainers/runtime-tools"
	if [ ! -f "$pkg/.extracted" ]; then
		rm -rf "$build" && mkdir -p "$pkg" &&
			g archive "$commit" | tar -x -C "$pkg" && touch "$pkg/.extracted" ||
			{ echo "run.sh: extracting $commit from $src failed" >&2; exit 2; }
	fi
else
	# A plain directory (no git): build it as it is. Debian's
	# golang-github-opencontainers-runtime-tools-dev lands here without validation/, so say so.
	[ -d "$src/validation" ] && [ -d "$src/cmd/runtimetest" ] ||
		skip "runtime-tools source not available: $src has no validation/ or cmd/runtimetest (Debian's golang-github-opencontainers-runtime-tools-dev ships neither)"
	commit_desc="plain directory $src"
	build="$workdir/build-dir-$go_version"
	pkg="$build/gopath/src/github.com/opencontainers/runtime-tools"
	rm -rf "$build" && mkdir -p "$pkg" && cp -a "$src/." "$pkg/" ||
		{ echo "run.sh: copying $src failed" >&2; exit 2; }
fi

# --- build -------------------------------------------------------------------------------------
bin="$build/bin"
if [ ! -f "$build/.built" ]; then
	log "building validation tests and runtimetest from $commit_desc with $go_version (GOPATH mode)"
	mkdir -p "$bin"
	export GOPATH="$build/gopath" GO111MODULE=off GOFLAGS= GOCACHE="$workdir/gocache"
	# runtimetest is copied into the container's busybox rootfs, so it must be static.
	( cd "$pkg" &&
		CGO_ENABLED=0 go build -tags "netgo osusergo" -o "$bin/runtimetest" ./cmd/runtimetest &&
		go build -o "$bin/tests/" ./validation/... ) >"$build/build.log" 2>&1 ||
		{ echo "run.sh: build failed, see $build/build.log:" >&2; tail -20 "$build/build.log" >&2; exit 2; }
	touch "$build/.built"
fi

# The tests expect runtimetest and rootfs-<arch>.tar.gz in their working directory. Copies, not
# symlinks: the tests copy runtimetest into the bundle with a helper that recreates symlinks, and
# a link to a host path does not resolve inside the container.
rundir="$build/run"
mkdir -p "$rundir"
cp -f "$bin/runtimetest" "$rundir/runtimetest"
for f in "$pkg"/rootfs-*.tar.gz; do cp -f "$f" "$rundir/"; done

tests=()
for t in "$bin"/tests/*; do
	name="$(basename "$t")"
	[ -z "$filter" ] || echo "$name" | grep -Eq "$filter" || continue
	tests+=("$name")
done
[ ${#tests[@]} -gt 0 ] || { echo "run.sh: no validation test matches '${filter}'" >&2; exit 2; }
is_cgroup() { case "$1" in linux_cgroups_*) return 0 ;; *) return 1 ;; esac; }

# --- run ---------------------------------------------------------------------------------------
results="$workdir/results.tsv"
printf 'runtime\ttest\tgroup\tpass\tfail\tskip\tstatus\n' >"$results"
declare -A cell status
declare -A rt_version
total_pass=0; total_fail=0; total_skip=0

# Counts TAP lines: "# SKIP"/"# TODO" directives are neither pass nor fail, as TAP says. Some tests
# print two TAP documents (two plans), so plans are summed. Lifecycle tests (hooks, prestart...)
# report a failure only as a YAML "error" next to an empty plan: counted in the last field.
tap_count() {
	awk '
		/^(not )?ok / && /# *([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])/ { s++; next }
		/^ok / { p++; next }
		/^not ok / { f++; next }
		/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); plan += $0 + 0; hasplan = 1; next }
		/^ *"error": "[^"]/ { yamlerr++ }
		END { printf "%d %d %d %d %d %d\n", p, f, s, hasplan, plan, yamlerr }' "$1"
}

# Verdict for one test run: sets st (pass|fail|timeout|skip) and c (the table cell).
verdict() {
	local rc="$1" p="$2" f="$3" s="$4" hasplan="$5" plan="$6" yamlerr="$7" tap="$8" test="$9"
	local counts="$p pass, $f fail"
	[ "$s" -eq 0 ] || counts="$counts, $s skip"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		st=timeout; c="timeout after ${timeout_s}s ($counts)"
	elif [ "$rc" -ne 0 ]; then
		st=fail; c="exit $rc ($counts)"           # util.Fatal: setup or runtime error
	elif [ "$f" -gt 0 ]; then
		st=fail; c="$counts"
	elif [ "$hasplan" -eq 0 ] && [ $((p + s)) -eq 0 ]; then
		case "$test" in
			*_fail) st=pass; c="exit 0, no TAP" ;;  # the runtime refused the bad config: silent success
			# Other tests relay the container's TAP; none means the container printed nothing
			# (e.g. process_rlimits when the process died before runtimetest ran).
			*) st=fail; c="exit 0, no TAP: the container printed nothing" ;;
		esac
	elif [ $((p + s)) -ne "$plan" ]; then
		st=fail; c="incomplete: plan $plan, $counts"
	elif [ $((p + s)) -eq 0 ] && [ "$yamlerr" -gt 0 ]; then
		st=fail; c="lifecycle error: $(grep -m1 -o '"error": "[^"\\]*' "$tap" | cut -c11- | cut -c1-90 | tr '|' '/')"
	elif [ $((p + s)) -eq 0 ]; then
		st=pass; c="lifecycle ok"
	elif [ "$p" -eq 0 ]; then
		st=skip; c="$s skip"
	else
		st=pass; c="$counts"
	fi
}

# Bundles live in a per-test TMPDIR. Tests with shared rootfs propagation leave the bundle's mounts
# (rootfs bind, proc, dev...) on the host: unmount them deepest first, and only remove the dir when
# nothing is mounted below it any more (a bind mount on the same file system would defeat
# rm --one-file-system).
mounts_under() { awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r; }
clean_tmp() {
	local m
	for m in $(mounts_under "$1"); do umount -l "$m" 2>/dev/null; done
	if [ -z "$(mounts_under "$1")" ]; then
		rm -rf --one-file-system "$1"
	else
		log "left $1 in place: mounts remain below it"
	fi
}

for rt in "${runtimes[@]}"; do
	rtname="$(basename "$rt")"
	if [ ! -x "$rt" ]; then
		log "$rt is not an executable, its column is skipped"
		rt_version[$rtname]="not installed ($rt)"
		for t in "${tests[@]}"; do cell[$rtname,$t]="not run"; status[$rtname,$t]=skip; done
		total_skip=$((total_skip + ${#tests[@]}))
		continue
	fi
	rt_version[$rtname]="$("$rt" --version 2>/dev/null | head -1)"
	logs="$workdir/logs/$rtname"
	rm -rf "$logs" && mkdir -p "$logs"
	for t in "${tests[@]}"; do
		before="$("$rt" list -q 2>/dev/null | sort)"
		tmp="$workdir/tmp/$rtname-$t"
		mkdir -p "$tmp"
		( cd "$rundir" && TMPDIR="$tmp" RUNTIME="$rt" timeout -k 10 "$timeout_s" "$bin/tests/$t" </dev/null ) >"$logs/$t.tap" 2>&1
		rc=$?
		# A test that timed out or crashed can leave containers behind. Delete only new ones whose
		# bundle is in this test's TMPDIR: others on the machine may be running containers too.
		after="$("$rt" list -q 2>/dev/null | sort)"
		for id in $(comm -13 <(echo "$before") <(echo "$after")); do
			if "$rt" state "$id" 2>/dev/null | grep -q "\"bundle\": *\"$tmp/"; then
				"$rt" delete -f "$id" >/dev/null 2>&1 || true
			fi
		done
		clean_tmp "$tmp"
		read -r p f s hasplan plan yamlerr < <(tap_count "$logs/$t.tap")
		echo "$rc" >"$logs/$t.rc"
		verdict "$rc" "$p" "$f" "$s" "$hasplan" "$plan" "$yamlerr" "$logs/$t.tap" "$t"
		case "$st" in pass) total_pass=$((total_pass + 1)) ;; skip) total_skip=$((total_skip + 1)) ;; *) total_fail=$((total_fail + 1)) ;; esac
		cell[$rtname,$t]="$c"; status[$rtname,$t]="$st"
		group=other; is_cgroup "$t" && group=cgroup
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rtname" "$t" "$group" "$p" "$f" "$s" "$st" >>"$results"
		log "$rtname $t: $st ($c)"
	done
done

# --- report ------------------------------------------------------------------------------------
in_group() { if is_cgroup "$2"; then [ "$1" = cgroup ]; else [ "$1" = other ]; fi; }

table() {
	local want="$1" t rt rtname mark row hdr="| test |" sep="|---|" total="| **fully passing** |"
	for rt in "${runtimes[@]}"; do hdr="$hdr $(basename "$rt") |"; sep="$sep---|"; done
	echo "$hdr"; echo "$sep"
	for t in "${tests[@]}"; do
		in_group "$want" "$t" || continue
		row="| $t |"
		for rt in "${runtimes[@]}"; do
			rtname="$(basename "$rt")"
			case "${status[$rtname,$t]}" in pass) mark="**PASS** " ;; skip) mark="" ;; *) mark="FAIL " ;; esac
			row="$row $mark${cell[$rtname,$t]} |"
		done
		echo "$row"
	done
	for rt in "${runtimes[@]}"; do
		rtname="$(basename "$rt")"
		local n=0 m=0
		for t in "${tests[@]}"; do
			in_group "$want" "$t" || continue
			m=$((m + 1)); [ "${status[$rtname,$t]}" = pass ] && n=$((n + 1))
		done
		total="$total **$n / $m** |"
	done
	echo "$total"
}

if [ -n "$report" ]; then
	{
		echo "# runtime-tools validation results"
		echo
		echo "- runtime-tools: $commit_desc, built with $go_version in GOPATH mode"
		echo "- host: $(uname -r), cgroup fs $(stat -fc %T /sys/fs/cgroup) ($( [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && echo v2 || echo v1/hybrid))"
		for rt in "${runtimes[@]}"; do echo "- $(basename "$rt"): ${rt_version[$(basename "$rt")]}"; done
		echo "- per-test timeout ${timeout_s}s; a cell counts TAP assertions (\`ok\` / \`not ok\`); **PASS**: exit 0 and no failed"
		echo "  assertion; \`exit 0, no TAP\`: a *_fail test that passes silently; \`lifecycle ok/error\`: tests that report"
		echo "  only through a YAML \`error\` beside an empty plan; \`exit N\`: the test aborted (setup or runtime error)"
		echo
		echo "## non-cgroup tests"
		echo
		table other
		echo
		echo "## cgroup tests (validation/linux_cgroups_*)"
		echo
		table cgroup
	} >"$report"
	log "report written to $report"
fi

exit_rc=0
if [ -n "$expect" ]; then
	while read -r rtname t; do
		case "$rtname" in ""|\#*) continue ;; esac
		if [ "${status[$rtname,$t]:-missing}" != pass ]; then
			echo "runtime-tools: expected $rtname to pass $t, got ${status[$rtname,$t]:-not run}"
			exit_rc=1
		fi
	done <"$expect"
fi
echo "runtime-tools: logs in $workdir/logs, table in $results"
echo "runtime-tools: $total_pass passed, $total_fail failed, $total_skip skipped"
exit "$exit_rc"
