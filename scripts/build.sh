#!/usr/bin/env bash
# Builds the rdmarun NativeAOT binary into out/rdmarun, installing the build dependencies first.
# Serialised with a lock: concurrent builds of one project would corrupt its obj/ directory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_deps build
exec 9>/tmp/rdmarun-build.lock
flock 9
dotnet publish runtime/rdmarun/rdmarun.csproj -c Release -o out --nologo -v quiet
echo "built $(pwd)/out/rdmarun ($(stat -c %s out/rdmarun) bytes)"
