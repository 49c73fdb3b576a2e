#!/usr/bin/env bash
# Makes sure a WebGPU adapter exists for Dawn (the `webgpu` npm package).
# On a machine without a GPU that means Mesa's lavapipe software Vulkan driver, which must be Mesa >= 25:
# Debian bookworm ships Mesa 22, which Dawn refuses, so we take it from bookworm-backports.
# Idempotent: does nothing when a recent enough lavapipe (or a real Vulkan driver) is already there.
set -euo pipefail

have_recent_lavapipe() {
  local icd v
  for icd in /usr/share/vulkan/icd.d/lvp_icd*.json; do
    [ -f "$icd" ] || continue
    v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)
    dpkg --compare-versions "$v" ge 25 && return 0
  done
  return 1
}

have_hardware_vulkan() {
  ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null | grep -qiE 'nvidia|radeon|intel' 
}

if have_recent_lavapipe || have_hardware_vulkan; then
  exit 0
fi

if [ ! -f /etc/debian_version ]; then
  echo "setup-webgpu: no WebGPU adapter. Install Mesa >= 25 with the lavapipe Vulkan driver and libvulkan1" >&2
  echo "  (or a GPU Vulkan driver), then run again." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-webgpu: no WebGPU adapter, and installing one needs root. Run as root:" >&2
  echo "  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list" >&2
  echo "  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1" >&2
  exit 1
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
echo "setup-webgpu: installing Mesa lavapipe from ${codename}-backports (Dawn needs Mesa >= 25)..." >&2
echo "deb http://deb.debian.org/debian ${codename}-backports main" > /etc/apt/sources.list.d/tessera-backports.list
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq -t "${codename}-backports" mesa-vulkan-drivers libvulkan1 >&2
have_recent_lavapipe || { echo "setup-webgpu: lavapipe still older than Mesa 25 after install" >&2; exit 1; }
