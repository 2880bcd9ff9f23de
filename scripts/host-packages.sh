#!/usr/bin/env bash
# Installs the Debian packages whose programs are missing, when run as root; otherwise says
# which are missing. Arguments: command:package pairs (e.g. nft:nftables). Prints on stderr.
set -euo pipefail
who="${HOST_PACKAGES_FOR:-switchboard}"
debs=()
for pair in "$@"; do
  cmd="${pair%%:*}"
  pkg="${pair#*:}"
  command -v "$cmd" >/dev/null 2>&1 || debs+=("$pkg")
done
[ "${#debs[@]}" -eq 0 ] && exit 0
mapfile -t debs < <(printf '%s\n' "${debs[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "$who: installing Debian packages: ${debs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${debs[@]}" >&2
else
  echo "$who: missing Debian packages: ${debs[*]} (as root they are installed; or: apt-get install ${debs[*]})" >&2
fi
