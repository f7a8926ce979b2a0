#!/usr/bin/env bash
# Regenerates docs/conformance.md (linked from README.md) from the conformance harness's reports:
#   out/conformance-host.md  tests/conformance/scripts/run.sh --ci   (this host: hybrid cgroups)
#   out/conformance-lab.md   tests/kernel-lab/ci.sh                 (kernel lab: cgroup v2, rdma, rxe0)
#   out/conformance-rootless.md  tests/conformance/scripts/run.sh --ci --rootless  (this host, as a user)
#   out/conformance-lab-rootless.md  tests/kernel-lab/ci.sh                  (kernel lab, as a user)
# One table, host and lab side by side per runtime, then a "Rootless" table alike; every cell that is not
# "pass" points to a numbered reason below its table (the same reason shares a number).
#
#   scripts/conformance-table.sh [--out FILE] [--host FILE] [--lab FILE] [--rootless FILE] [--lab-rootless FILE]
# A missing report leaves its columns as "not run" and says so. When neither host nor lab report exists,
# the main table of the existing FILE is kept (likewise its Rootless section without either rootless report),
# so one suite's table can be refreshed alone; nothing at all to write is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/conformance.md host=out/conformance-host.md lab=out/conformance-lab.md rootless=out/conformance-rootless.md
lab_rootless=out/conformance-lab-rootless.md
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2; shift 2 ;;
        --host) host=$2; shift 2 ;;
        --lab) lab=$2; shift 2 ;;
        --rootless) rootless=$2; shift 2 ;;
        --lab-rootless) lab_rootless=$2; shift 2 ;;
        *) echo "usage: scripts/conformance-table.sh [--out FILE] [--host FILE] [--lab FILE] [--rootless FILE] [--lab-rootless FILE]" >&2; exit 2 ;;
    esac
done
rootless_heading="## Rootless"
# The parts of an existing doc: before the Rootless heading (main), from it on (rootless).
old_part() { # main|rootless
    [ -f "$out" ] || return 0
    awk -v want="$1" -v h="$rootless_heading" '$0 == h { r = 1 } (want == "rootless") == (r == 1)' "$out"
}
if ! [ -f "$host" ] && ! [ -f "$lab" ] && [ -z "$(old_part main)" ]; then
    echo "conformance-table: neither $host nor $lab exists and $out has no table to keep (run tests/conformance/scripts/run.sh --ci or tests/kernel-lab/ci.sh)" >&2; exit 1
fi

# Both reports as "env<TAB>case<TAB>runtime<TAB>cell" rows, then "env<TAB>summary<TAB>line".
# Table cells escape "|" as "\|"; a placeholder keeps those while splitting.
rows() { # env file
    [ -f "$2" ] || return 0
    awk -v env="$1" -F'\t' '
        BEGIN { OFS = "\t" }
        /^\| *case *\|/ {
            line = $0; gsub(/\\\|/, "\001", line); n = split(line, h, "|")
            for (i = 3; i < n; i++) { name[i] = h[i]; gsub(/^ +| +$/, "", name[i]) }
            cols = n; next
        }
        /^\|---/ { next }
        /^\| / && cols {
            line = $0; gsub(/\\\|/, "\001", line); split(line, c, "|")
            cs = c[2]; gsub(/^ +| +$/, "", cs)
            for (i = 3; i < cols; i++) { v = c[i]; gsub(/^ +| +$/, "", v); gsub("\001", "\\|", v); print env, cs, name[i], v }
            next
        }
        /^[0-9]+ passed, [0-9]+ failed/ { print env, "#summary", "", $0 }' "$2"
}

stamp() { [ -f "$1" ] && date -u -r "$1" '+%Y-%m-%d %H:%M UTC' || echo "not run"; }

# The "N passed, N failed, N skipped" line of ENV's report among the rows, or "not run".
summary() { # env rows-file
    awk -F'\t' -v env="$1" '$1 == env && $2 == "#summary" { s = $4 } END { print (s != "" ? s : "not run") }' "$2"
}

# The table of the rows on stdin: two columns per runtime (host, lab); every cell that is not "pass"
# points to a numbered reason below it (the same reason shares a number).
table() {
    awk -F'\t' '
        function short(cell) {
            if (cell == "pass") return "pass"
            if (cell ~ /^known FAIL/) return "known fail"
            if (cell ~ /^FAIL/) return "**FAIL**"
            if (cell ~ /^skip/) return "skip"
            return cell
        }
        # The reason: what is inside the outer parentheses.
        function reason(cell) { sub(/^[^(]*\(/, "", cell); sub(/\)$/, "", cell); return cell }
        $2 == "#summary" { next }
        {
            if (!($2 in seen)) { seen[$2] = 1; cases[++nc] = $2 }
            if (!($3 in rseen)) { rseen[$3] = 1; rts[++nr] = $3 }
            cell[$1, $2, $3] = $4
        }
        END {
            hdr = "| case |"; sep = "|---|"
            for (r = 1; r <= nr; r++) { hdr = hdr " " rts[r] " host | " rts[r] " lab |"; sep = sep "---|---|" }
            print hdr; print sep
            nn = 0
            for (i = 1; i <= nc; i++) {
                line = "| " cases[i] " |"
                for (r = 1; r <= nr; r++) for (e = 1; e <= 2; e++) {
                    env = (e == 1) ? "host" : "lab"
                    if (!((env, cases[i], rts[r]) in cell)) { line = line " not run |"; continue }
                    v = cell[env, cases[i], rts[r]]
                    s = short(v)
                    if (s != "pass") {
                        why = reason(v)
                        if (!(why in note)) { note[why] = ++nn; notes[nn] = why }
                        s = s " [" note[why] "]"
                    }
                    line = line " " s " |"
                }
                print line
            }
            if (nn > 0) {
                print ""
                print "Reasons:"
                print ""
                for (k = 1; k <= nn; k++) print k ". " notes[k]
            }
        }'
}

tmp=$(mktemp) main=$(mktemp) rl=$(mktemp)
trap 'rm -f "$tmp" "$main" "$rl"' EXIT
mkdir -p "$(dirname "$out")"

{ rows host "$host"; rows lab "$lab"; } >"$tmp"
if ! [ -f "$host" ] && ! [ -f "$lab" ]; then
    echo "conformance-table: no $host or $lab: keeping the main table of $out"
    old_part main >"$main"
else
    {
        printf '%s\n' '# Conformance' '' \
            'Generated by `scripts/conformance-table.sh`; do not edit by hand. Each case (see' \
            '[tests/conformance/README.md](../tests/conformance/README.md)) runs against every runtime twice:' '' \
            "- **host**: $host ($(stamp "$host")), \`tests/conformance/scripts/run.sh --ci\`: Debian 12, hybrid cgroups" \
            '  (v1 controllers + cgroup2 owning hugetlb), no rdma controller; crun through `crun-legacy-cgroups.sh`.' \
            "- **lab**: $lab ($(stamp "$lab")), \`tests/kernel-lab/ci.sh\`: Linux 6.1 in QEMU, cgroup v2 with every controller" \
            '  including rdma, soft-RoCE device rxe0.' '' \
            "Summary: host $(summary host "$tmp"); lab $(summary lab "$tmp")." \
            '`known fail` is a documented difference (tests/conformance/known-differences.txt): it does not fail CI.' ''
        table <"$tmp"
    } >"$main"
fi

# The rootless table alike: every runtime run as an unprivileged user.
{ rows host "$rootless"; rows lab "$lab_rootless"; } >"$tmp"
if [ -f "$rootless" ] || [ -f "$lab_rootless" ]; then
    {
        printf '%s\n' '' "$rootless_heading" '' \
            'Every runtime run by an unprivileged user (setpriv; `rdmarun-rootless`, with /etc/subuid and' \
            '/etc/subgid ranges), no `--root` (state under its `$XDG_RUNTIME_DIR`), bundles as `spec --rootless`' \
            'writes them (user namespace mapping the user to root, no network namespace, /sys bound, no' \
            'linux.resources). Cases needing several ids also map the subordinate range of the user' \
            '(newuidmap/newgidmap). A skip names the privilege the case needs; `rootless-*` cases run only here.' '' \
            "- **host**: $rootless ($(stamp "$rootless")), \`tests/conformance/scripts/run.sh --ci --rootless\`: hybrid cgroups." \
            "- **lab**: $lab_rootless ($(stamp "$lab_rootless")), \`tests/kernel-lab/ci.sh\` (\`run.sh --lab DIR --rootless\`): cgroup v2, where" \
            "  \`spec --rootless\` adds a cgroup namespace and the bound /sys already holds the host's cgroup2 mount." '' \
            "Summary: host $(summary host "$tmp"); lab $(summary lab "$tmp")." \
            '`known fail`: tests/conformance/known-differences-rootless.txt, then known-differences.txt.' ''
        table <"$tmp"
    } >"$rl"
else
    old_part rootless >"$rl"
fi
# The main part ends without a blank line; the rootless part starts with one.
cat "$main" "$rl" | awk 'NR > 1 || NF' | cat -s >"$out"
echo "wrote $out"
