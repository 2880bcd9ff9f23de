#!/usr/bin/env bash
# The control-plane benchmark: builds if needed, then runs every section (or the ones named:
# startup, writes, watch, list) and prints one table of figures with same-run references.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure.sh
exec node dist/bench/run.js "$@"
