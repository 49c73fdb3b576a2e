#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser test of the walkthrough site (test/site/).
# Playwright (playwright-core) drives this system browser; nothing is downloaded by Playwright itself.
# WebGPU inside it runs on the same Vulkan driver as Dawn in Node, so the lavapipe setup runs first.
# Idempotent: does nothing when a chromium binary is already there.
set -euo pipefail

bash "$(dirname "$0")/setup-webgpu.sh"

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ ! -f /etc/debian_version ]; then
  echo "setup-chromium: install Chromium (>= 113, for WebGPU) and put 'chromium' on PATH, or set CHROMIUM=/path/to/it" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-chromium: chromium is missing and installing it needs root. Run as root:" >&2
  echo "  apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
echo "setup-chromium: installing Debian's chromium..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
