#!/usr/bin/env bash
# bundle.sh DIR ARGS...: the project's busybox bundle, readable by all three runtimes.
set -euo pipefail
dir=$1; shift
"$(dirname "$0")/../../scripts/make-bundle.sh" "$dir" "$@" >/dev/null
# crun 1.8 rejects ociVersion 1.2.x ("unknown version specified"); 1.0.2 is runc's own and the config uses nothing newer.
sed -i 's/"ociVersion": "[^"]*"/"ociVersion": "1.0.2"/' "$dir/config.json"
