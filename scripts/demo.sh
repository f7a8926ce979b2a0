#!/usr/bin/env bash
# One command on a fresh machine: install what is needed, build rdmarun, run a demo container.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
bundle=$(mktemp -d /tmp/rdmarun-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
scripts/make-bundle.sh "$bundle"
cd "$bundle"
"$OLDPWD/out/rdmarun" run "demo-$$"
