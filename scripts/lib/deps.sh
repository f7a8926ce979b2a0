# Installs what a fresh Debian 12 machine lacks, by group. Sourced by the scripts.
_apt_updated=0
_apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$_apt_updated" = 0 ]; then apt-get update -qq >/dev/null; _apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
# Runs a command with service starts denied (policy-rc.d exit 101): installing docker.io or
# containerd must not start the host's daemons; the engine suite starts private ones.
_without_service_starts() {
  local prc=/usr/sbin/policy-rc.d made=0 rc
  if [ ! -e "$prc" ]; then printf '#!/bin/sh\nexit 101\n' >"$prc"; chmod +x "$prc"; made=1; fi
  "$@"; rc=$?
  [ "$made" = 1 ] && rm -f "$prc"
  return $rc
}
ensure_deps() {
  case "$1" in
    build) _apt_install gcc libc6-dev libseccomp-dev busybox-static ;;
    test) _apt_install gcc libc6-dev libseccomp-dev busybox-static runc crun iproute2 kmod procps uidmap dbus-daemon ;;
    hpc) _apt_install openmpi-bin libopenmpi-dev uidmap procps ;;
    slurm) _without_service_starts _apt_install slurm-wlm munge runc jq busybox-static ;;
    engines) _without_service_starts _apt_install docker.io containerd podman runc iptables python3 util-linux bsdutils busybox-static ;;
  esac
  command -v dotnet >/dev/null || { echo "dotnet SDK 10 is required (not found on PATH)" >&2; exit 1; }
}
