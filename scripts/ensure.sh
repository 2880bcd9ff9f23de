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
