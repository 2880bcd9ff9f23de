#!/usr/bin/env bash
# Makes the checkout runnable: npm dependencies installed and the TypeScript built.
# Sourced by bin/switchboard and scripts/test.sh; prints what it does, on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need node || ! need npm; then
  echo "switchboard needs Node.js 20 or newer with npm (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "switchboard needs Node.js 20 or newer; this is $(node --version)" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ ! -e node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  echo "switchboard: installing npm dependencies (first run builds better-sqlite3, about a minute)" >&2
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi

stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src test bench tsconfig.json package.json -newer "$stamp" -name '*.ts' -o -newer "$stamp" -name '*.json' 2>/dev/null | head -1)" ]; then
  echo "switchboard: building (tsc)" >&2
  npx tsc -p tsconfig.json >&2
  touch "$stamp"
fi

# The cluster DNS answers UDP through a small C addon (batched recvmmsg/sendmmsg); without it
# it falls back to Node's dgram, slower but complete. Built with npm's own node-gyp, no download.
addon=native/udp-batch/build/Release/udp_batch.node
if [ ! -e "$addon" ] || [ -n "$(find native/udp-batch/src native/udp-batch/binding.gyp -newer "$addon" 2>/dev/null | head -1)" ]; then
  echo "switchboard: building native/udp-batch (C addon for the DNS server)" >&2
  if ! npm --prefix native/udp-batch run build >&2; then
    echo "switchboard: could not build native/udp-batch (needs make, a C compiler and python3: apt-get install build-essential python3); DNS uses Node's dgram instead" >&2
  fi
fi

# The userspace service proxy relays TCP on a native thread through a second C addon; without
# it the proxy pipes Node sockets (slower per request). Same build, same fallback.
addon=native/tcp-relay/build/Release/tcp_relay.node
if [ ! -e "$addon" ] || [ -n "$(find native/tcp-relay/src native/tcp-relay/binding.gyp -newer "$addon" 2>/dev/null | head -1)" ]; then
  echo "switchboard: building native/tcp-relay (C addon for the userspace proxy)" >&2
  if ! npm --prefix native/tcp-relay run build >&2; then
    echo "switchboard: could not build native/tcp-relay (needs make, a C compiler and python3: apt-get install build-essential python3); the userspace proxy pipes Node sockets instead" >&2
  fi
fi
