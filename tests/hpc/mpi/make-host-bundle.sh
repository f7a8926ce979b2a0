#!/usr/bin/env bash
# make-host-bundle.sh DIR [--rootless] [--reaper] [--hostname NAME] [--agent] [--bind DIR] [ARGS...]
# A bundle whose image is the host's /usr and /etc (read-only binds), so Open MPI and the test
# program exist inside, as an MPI user's image would provide them. Host network; the rest as
# `rdmarun spec` (--rootless: user namespace mapping the caller's ids). --agent binds rdmarun at
# /opt/rdmarun/rdmarun and puts it on PATH: Open MPI's daemons check that their plm_rsh_agent
# exists (for tree spawn), so the agent must be found inside the container too. --bind DIR binds
# a host directory (the job's working directory with the program) at the same path.
set -euo pipefail
dir=$1; shift
bin=$(realpath "${RDMARUN_BIN:-$(dirname "$0")/../../../out/rdmarun}")
rootless="" annotations="" hostname="" agent="" workdir="" args='"sleep", "infinity"'
while [ $# -gt 0 ]; do
  case "$1" in
    --rootless) rootless=--rootless; shift ;;
    --reaper) annotations='"annotations": { "org.rdmarun.init": "reaper" },'; shift ;;
    --hostname) hostname=$2; shift 2 ;;
    --agent) agent=1; shift ;;
    --bind) workdir=$(realpath "$2"); shift 2 ;;
    *) args=""; for a in "$@"; do args+="\"$a\", "; done; args=${args%, }; break ;;
  esac
done
mkdir -p "$dir/rootfs"
cd "$dir/rootfs"
mkdir -p usr etc proc sys dev tmp home root run
for l in bin sbin lib lib64; do [ -e "/$l" ] && [ ! -e "$l" ] && ln -s "usr/$l" "$l"; done
cd ..
rm -f config.json
"$bin" spec $rootless
binds='{ "destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"] },
    { "destination": "/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro", "nosuid", "nodev"] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"] },'
# Host network (MPI's TCP wire-up), terminal off, our command; hostname only with a UTS namespace.
sed -i -e "s|\"mounts\": \[|\"mounts\": [\n    $(printf '%s' "$binds" | tr '\n' ' ')|" \
       -e '/^\t\t\t{$/{N;/"type": "network"/{N;d}}' -e 's/"terminal": true/"terminal": false/' \
       -e "s|\"sh\"\$|$args|" config.json
if [ -n "$annotations" ]; then sed -i "0,/\"process\": {/s||$annotations\n\t\"process\": {|" config.json; fi
if [ -n "$agent" ]; then
  sed -i -e "s|\"mounts\": \[|\"mounts\": [\n    { \"destination\": \"/opt/rdmarun/rdmarun\", \"type\": \"bind\", \"source\": \"$bin\", \"options\": [\"bind\", \"ro\"] },|" \
         -e 's|"PATH=/usr/local/sbin|"PATH=/opt/rdmarun:/usr/local/sbin|' config.json
fi
if [ -n "$workdir" ]; then
  # After /tmp's tmpfs in the list, so a directory under /tmp is visible through it.
  sed -i "s|\"options\": \[\"nosuid\", \"nodev\", \"mode=1777\"\] },|&\n    { \"destination\": \"$workdir\", \"type\": \"bind\", \"source\": \"$workdir\", \"options\": [\"rbind\"] },|" config.json
fi
if [ -n "$hostname" ]; then sed -i "s/\"hostname\": \"[^\"]*\"/\"hostname\": \"$hostname\"/" config.json; fi
