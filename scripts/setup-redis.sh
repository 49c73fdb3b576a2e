#!/usr/bin/env bash
# Makes sure `redis-server` exists: the MCBO sweep-queue test (test/methods/mcbo-queue.test.ts) starts a real one on
# a free loopback port. Debian's package; idempotent (does nothing when redis-server is already on PATH).
set -euo pipefail
command -v redis-server >/dev/null && exit 0
if [ ! -f /etc/debian_version ] || [ "$(id -u)" != 0 ]; then
  echo "setup-redis: redis-server is missing; install it (Debian: apt-get install -y redis-server, as root)." >&2
  exit 1
fi
echo "setup-redis: installing redis-server from Debian..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq redis-server >&2 || { apt-get update -qq >&2 && apt-get install -y -qq redis-server >&2; }
command -v redis-server >/dev/null || { echo "setup-redis: redis-server still missing after install" >&2; exit 1; }
