#!/usr/bin/env bash
# machine.sh RDMARUN CRUN_WRAPPER: key=value lines describing the machine and the runtimes under test.
rdmarun=$1 wrap=$2
echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host_kernel=$(uname -r)"
echo "nproc=$(nproc)"
echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "mem_total=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
if grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts; then echo "cgroups=v2 (unified)"
elif grep -q ' cgroup2 ' /proc/mounts; then echo "cgroups=hybrid (v1 controllers + cgroup2 at /sys/fs/cgroup/unified)"
else echo "cgroups=v1"; fi
echo "rdmarun_version=$("$rdmarun" --version | head -n1) (binary sha256 $(sha256sum "$rdmarun" | cut -c1-12), out/rdmarun of $(stat -c %y "$(dirname "$0")/../../out/rdmarun" | cut -c1-19))"
echo "runc_version=$(runc --version | head -n1)"
echo "crun_version=$(crun --version | head -n1)"
echo "hyperfine_version=$(hyperfine --version)"
for b in "$rdmarun" "$(command -v runc)" "$(command -v crun)"; do
  echo "size_$(basename "$b")=$(stat -L -c %s "$b")"
done
echo "crun_wrapper=$wrap"
