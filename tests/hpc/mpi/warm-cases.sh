# Warm launch (runtime/native/LAUNCH_TEMPLATE.md), sourced by run.sh after the ring cases: by now
# the first `launch` of this root/bundle/cwd published a template, and later ranks join it from
# the C constructor. Each case checks what a user sees: the same rank as the full path, its own
# container while it runs, nothing left after it ends, is killed, expires or is dropped.

templates() { ls -d "$1"/.launch/[0-9a-f]*[0-9a-f] 2>/dev/null | grep -v '\.tmp-' ; }
guards_of() { grep -l "_RDMARUN_TEMPLATE_GUARD=$1/" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3; }
template_cgroups() { find /sys/fs/cgroup -maxdepth 4 -type d -name "launch-template-$1" 2>/dev/null; }
probe='cat /proc/self/environ | tr "\0" "\n"; id; grep -E "^Cap|^NoNewPrivs" /proc/self/status; ulimit -n; umask; pwd; ls /'
launch() { "$bin" --root "$root" launch -b "$work/bundle" "$@"; }

# W1. later ranks run in the mount namespace of a published template (the runs above published
# one per distinct set of flags: the ring's, and --env EXTRA=1's)
a=$(launch -- readlink /proc/self/ns/mnt) b=$(launch -- readlink /proc/self/ns/mnt)
key="" tns=""
for t in $(templates "$root"); do
  [ "mnt:[$(stat -L -c %i "$t/mnt")]" = "$a" ] && [ -f "$t/template" ] && { key=$(basename "$t"); tns=$(stat -L -c %i "$t/mnt"); }
done
if [ -n "$key" ] && [ "$b" = "$a" ]; then pass launch-warm-joins-template
else fail launch-warm-joins-template "rank namespaces $a $b; templates: $(for t in $(templates "$root"); do echo -n "$(basename "$t")=$(stat -L -c %i "$t/mnt") "; done)"; fi

# W2. a warm rank is the same rank as a full-path one (RDMARUN_LAUNCH_TEMPLATE_TTL=0: full path)
warm=$(OMPI_WARM=1 PMIX_B=2 launch --env EXTRA=3 -- sh -c "$probe" 2>&1)
full=$(OMPI_WARM=1 PMIX_B=2 RDMARUN_LAUNCH_TEMPLATE_TTL=0 launch --env EXTRA=3 -- sh -c "$probe" 2>&1)
if [ -n "$warm" ] && [ "$warm" = "$full" ] && grep -q '^OMPI_WARM=1$' <<<"$warm"; then pass launch-warm-same-as-full
else fail launch-warm-same-as-full "$(diff <(echo "$full") <(echo "$warm") | head -20)"; fi
# (--env changes the key: that run published a second template; both are dropped at the end)

# W3. while it runs a warm rank is a container of its own: listed, own cgroup under the
# template's, the template's device rules; exit status and nothing left after
launch -- sh -c 'grep -E ":devices:|^0::" /proc/self/cgroup; sleep 1.5; exit 5' >"$work/w3.out" 2>&1 & wpid=$!
sleep 0.7
ids=$("$bin" --root "$root" list -q)
ann=""; for id in $ids; do ann+=$(jq -r '.annotations["org.rdmarun.launch.template"] // empty' "$root/$id/state.json"); done
wait $wpid; rc=$?
cg=$(grep ':devices:' "$work/w3.out" | cut -d: -f3)
why=""
[ "$rc" = 5 ] || why+="exit $rc (want 5); "
[ -n "$key" ] && [ "$ann" = "$key" ] || why+="listed container's template annotation '$ann' (want $key); "
if [ -d /sys/fs/cgroup/devices ]; then
  case "$cg" in */launch-template-$key/launch-*) ;; *) why+="devices cgroup $cg not under launch-template-$key; " ;; esac
  [ ! -d "/sys/fs/cgroup/devices$cg" ] || why+="rank cgroup left; "
fi
if [ -z "$why" ] && why=$(leftovers "$root"); then pass launch-warm-own-container; else fail launch-warm-own-container "$why"; fi

# W4. the warm rank's supervisor SIGKILLed: the rank dies with it, the template's guard deletes the container
launch -- sh -c 'echo up; exec sleep 4322' >"$work/w4.out" 2>&1 & lpid=$!
for _ in $(seq 50); do grep -q up "$work/w4.out" && break; sleep 0.1; done
id=$("$bin" --root "$root" list -q | head -1)
fast=$(jq -r '.annotations["org.rdmarun.launch.template"] // empty' "$root/$id/state.json" 2>/dev/null)
kill -9 $lpid; wait $lpid 2>/dev/null
for _ in $(seq 50); do pgrep -f "sleep 4322" >/dev/null || break; sleep 0.1; done
why=""
[ -n "$fast" ] || why+="the rank did not run warm; "
pgrep -f "sleep 4322" >/dev/null && why+="the rank still runs; "
if [ -z "$why" ] && why=$(wait_clean "$root"); then pass launch-warm-killed-9-cleaned; else fail launch-warm-killed-9-cleaned "$why"; fi

# W4b. a warm rank ending while others still run leaves them alone (each is its own container).
# The first rank to register with the template's guard ends first: its slot in the guard is
# reused by a later rank's, so a mix-up there would delete a running rank.
launch -- sh -c 'sleep 1; exit 3' & pids=($!)
sleep 0.3
for _ in 1 2 3; do launch -- sh -c 'sleep 2.5; exit 4' & pids+=($!); done
rcs=""; for p in "${pids[@]}"; do wait "$p"; rcs+="$? "; done
if [ "$rcs" = "3 4 4 4 " ] && why=$(leftovers "$root"); then pass launch-warm-concurrent-ranks
else fail launch-warm-concurrent-ranks "ranks exited: $rcs(want 3 4 4 4) ${why:-}"; fi

# W5. a changed config.json is a different key: the rank does not join the old template
touch "$work/bundle/config.json"
c=$(launch -- readlink /proc/self/ns/mnt)
if [ -n "$c" ] && [ "$c" != "mnt:[$tns]" ]; then pass launch-warm-config-change-not-joined
else fail launch-warm-config-change-not-joined "rank namespace $c, old template mnt:[$tns]"; fi

# W6. an idle template expires after its TTL: namespace mount, cgroups, guard and files gone
before=$(templates "$root")
RDMARUN_LAUNCH_TEMPLATE_TTL=2 launch -- true
short=$(comm -13 <(echo "$before") <(templates "$root"))
RDMARUN_LAUNCH_TEMPLATE_TTL=2 launch -- true # joins it, restarts its idle time
for _ in $(seq 60); do [ -n "$short" ] && [ ! -e "$short" ] && break; sleep 0.2; done
why=""
[ -n "$short" ] || why+="no template published with TTL 2; "
[ -n "$short" ] && [ -e "$short" ] && why+="$short still there after 12 s; "
[ -n "$short" ] && grep -q " $short/mnt " /proc/self/mountinfo && why+="its mnt still mounted; "
[ -n "$short" ] && [ -n "$(template_cgroups "$(basename "$short")")" ] && why+="its cgroups left; "
if [ -z "$why" ]; then pass launch-warm-template-expires; else fail launch-warm-template-expires "$why"; fi

# W7. --drop-templates removes every template: mounts, cgroups, guards, the .launch directory
left_t=$(templates "$root")
"$bin" --root "$root" launch --drop-templates; rc=$?
why=""
[ "$rc" = 0 ] || why+="exit $rc; "
grep -q " $root/.launch" /proc/self/mountinfo && why+="mounts left: $(grep " $root/.launch" /proc/self/mountinfo | cut -d' ' -f5 | tr '\n' ' '); "
for t in $left_t; do [ -n "$(template_cgroups "$(basename "$t")")" ] && why+="cgroups of $(basename "$t") left; "; done
sleep 0.2; [ -n "$(guards_of "$root")" ] && why+="guards left: $(guards_of "$root"); "
[ -e "$root/.launch" ] && why+="$root/.launch left; "
[ -n "$left_t" ] || why+="there was no template to drop; "
if [ -z "$why" ]; then pass launch-warm-drop-templates; else fail launch-warm-drop-templates "$why"; fi
