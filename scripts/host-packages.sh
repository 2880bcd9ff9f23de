#!/usr/bin/env bash
# Installs the Debian packages whose programs are missing, when run as root; otherwise says
# which are missing. Arguments: command:package pairs (e.g. nft:nftables); a bare package name
# is installed when no command of that name exists. Prints on stderr.
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
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: missing Debian packages: ${debs[*]} (as root they are installed; or: apt-get install ${debs[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
services=0
for i in "${!debs[@]}"; do
  # Packages whose install starts a service of theirs on the host unless policy-rc.d denies it.
  case "${debs[$i]}" in nginx|postgresql|postgresql-[0-9]*|mariadb-server|mysql-server) services=1 ;; esac
  [ "${debs[$i]}" = nginx ] || continue
  # nginx-light where this release has it, else nginx.
  if apt-cache policy nginx-light 2>/dev/null | grep -Eq '^ *Candidate: [^(]'; then debs[i]=nginx-light; fi
done
echo "$who: installing Debian packages: ${debs[*]}" >&2
# Debian's nginx, postgresql and mariadb-server packages start their own service on the host
# (nginx on port 80, a PostgreSQL cluster, MariaDB) unless policy-rc.d denies it: for this
# install only, one that denies every service start.
policy=/usr/sbin/policy-rc.d
guard=0
if [ "$services" = 1 ] && [ ! -e "$policy" ]; then
  echo "$who: creating $policy (exit 101) so that installing ${debs[*]} starts no service on the host; removed after the install" >&2
  guard=1
  trap 'rm -f "$policy"' EXIT
  trap 'exit 130' INT TERM HUP
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
fi
apt-get install -y -qq --no-install-recommends "${debs[@]}" >&2
if [ "$guard" = 1 ]; then
  rm -f "$policy"
  trap - EXIT INT TERM HUP
fi
