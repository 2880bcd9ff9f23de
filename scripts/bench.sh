#!/usr/bin/env bash
# The control-plane benchmark: builds if needed, then runs every section (or the ones named:
# startup, writes, watch, list, controllers, dns) and prints one table of figures with
# same-run references.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure.sh

# True when the dns section will run: no section named, or `dns` among the names.
wants_dns() {
  local names=() skip=0 a
  for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    if [ "$a" = --scale ]; then skip=1; continue; fi
    names+=("$a")
  done
  [ "${#names[@]}" -eq 0 ] && return 0
  for a in "${names[@]}"; do [ "$a" = dns ] && return 0; done
  return 1
}
# knotd lives in /usr/sbin, which a non-root PATH may lack.
has_tool() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

# The dns section serves the same records from knotd (Debian package knot) and drives both
# servers with dnsperf. As root, install them when missing (apt-get update only if the install
# fails); otherwise the section says what to install and reports its knotd rows as SKIPPED.
if wants_dns "$@" && ! { has_tool knotd && has_tool dnsperf; }; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench: installing knot and dnsperf for the dns section" >&2
    install_dns_tools() { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends knot dnsperf >&2; }
    if ! install_dns_tools; then
      { apt-get update >&2 && install_dns_tools; } || echo "bench: could not install knot and dnsperf; the dns section's knotd rows will say SKIPPED" >&2
    fi
  else
    echo "bench: the dns section needs knotd and dnsperf: apt-get install -y --no-install-recommends knot dnsperf (as root)" >&2
  fi
fi

exec node dist/bench/run.js "$@"
