#!/usr/bin/env bash
# make-bundle.sh DIR [ARGS...]: a busybox bundle from Debian's busybox-static, config from `rdmarun spec`.
set -euo pipefail
dir=$1; shift
bin=$(realpath "${RDMARUN_BIN:-$(dirname "$0")/../out/rdmarun}")
mkdir -p "$dir/rootfs"
cd "$dir/rootfs"
mkdir -p bin etc proc sys dev tmp root
cp /bin/busybox bin/busybox
for c in $(./bin/busybox --list); do [ -e "bin/$c" ] || ln -s busybox "bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" > etc/passwd
echo "root:x:0:" > etc/group
cd ..
rm -f config.json
"$bin" spec
# Not a terminal by default, and the given command (default: a greeting).
if [ $# -eq 0 ]; then set -- sh -c 'echo "hello from $(hostname), pid $$, uid $(id -u)"'; fi
# Each argument as a JSON string, escaped again for sed's replacement text.
json_args=""
for a in "$@"; do
  a=${a//\\/\\\\}; a=${a//\"/\\\"}
  json_args+="\"$a\","
done
json_args=${json_args%,}
sed_args=$(printf '%s' "$json_args" | sed 's/[\\&|]/\\&/g')
sed -i "s/\"terminal\": true/\"terminal\": false/; s|\"sh\"\$|$sed_args|" config.json
