#!/usr/bin/env bash
# Builds the rdmarun NativeAOT binary into out/rdmarun, installing the build dependencies first.
# Serialised with a lock: concurrent builds of one project would corrupt its obj/ directory.
#   scripts/build.sh           out/rdmarun (production)
#   scripts/build.sh --faults  out/faults/rdmarun: test-only build with the fault points of
#                              runtime/Rdmarun.Engine/Diagnostics/FaultPoint.cs compiled in
#                              (own configuration, so it never shares obj/ with the production build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_deps build
exec 9>/tmp/rdmarun-build.lock
flock 9
if [ "${1:-}" = "--faults" ]; then
  dotnet publish runtime/rdmarun/rdmarun.csproj -c Faults -p:Optimize=true -p:RdmarunFaults=true -o out/faults --nologo -v quiet
  echo "built $(pwd)/out/faults/rdmarun ($(stat -c %s out/faults/rdmarun) bytes, fault points enabled)"
  exit 0
fi
dotnet publish runtime/rdmarun/rdmarun.csproj -c Release -o out --nologo -v quiet
echo "built $(pwd)/out/rdmarun ($(stat -c %s out/rdmarun) bytes)"
