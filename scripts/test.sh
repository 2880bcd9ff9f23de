#!/usr/bin/env bash
# The whole test suite: installs what it needs (npm dependencies, the build, and as root the
# Debian packages the real-client tests use), then runs every test with node's test runner.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

debs=()
command -v etcd >/dev/null 2>&1 || debs+=(etcd-server)
command -v dig >/dev/null 2>&1 || debs+=(bind9-dnsutils)
command -v nft >/dev/null 2>&1 || debs+=(nftables)
command -v conntrack >/dev/null 2>&1 || debs+=(conntrack)
command -v ip >/dev/null 2>&1 || debs+=(iproute2)
# Pods on real nodes run the host's tools (images name host programs): the tests use these.
command -v curl >/dev/null 2>&1 || debs+=(curl)
command -v wget >/dev/null 2>&1 || debs+=(wget)
command -v script >/dev/null 2>&1 || debs+=(bsdutils)
command -v nsenter >/dev/null 2>&1 || debs+=(util-linux)
command -v nginx >/dev/null 2>&1 || debs+=(nginx)
# The postgres and mysql/mariadb images run the host's servers (Debian keeps postgres off PATH).
{ command -v postgres || ls /usr/lib/postgresql/*/bin/postgres; } >/dev/null 2>&1 || debs+=(postgresql)
{ command -v mariadbd || [ -x /usr/sbin/mariadbd ]; } >/dev/null 2>&1 || debs+=(mariadb-server)
python3 -c 'import kubernetes' >/dev/null 2>&1 || { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1; } || debs+=(python3-kubernetes)
if [ "${#debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    # host-packages.sh installs nginx, postgresql and mariadb-server without starting their
    # services on the host (policy-rc.d).
    HOST_PACKAGES_FOR=test bash scripts/host-packages.sh "${debs[@]}"
  else
    echo "test: missing Debian packages (${debs[*]}); tests that need them skip. As root they are installed." >&2
  fi
fi
# A database server in the host's network namespace is a host service (pods' servers run in
# namespaces of their own): the install should not have started one. Say so; leave it alone.
hostnet=$(readlink /proc/self/ns/net)
for proc in /proc/[0-9]*; do
  { read -r comm <"$proc/comm"; } 2>/dev/null || continue
  case "$comm" in postgres|mariadbd|mysqld) ;; *) continue ;; esac
  [ "$(readlink "$proc/ns/net" 2>/dev/null)" = "$hostnet" ] || continue
  echo "test: WARNING: a $comm server (pid ${proc#/proc/}) runs on this host, outside any pod: a host service the package started? (systemctl stop postgresql / mariadb)" >&2
done
if ! command -v kubectl >/dev/null 2>&1; then
  echo "test: kubectl is not installed; the kubectl tests will skip (CI requires it)" >&2
fi

bash scripts/ensure.sh

mapfile -t files < <(find dist/src dist/test dist/bench -name '*.test.js' ! -name '*.serial.test.js' 2>/dev/null | sort)
mapfile -t serial < <(find dist/src dist/test dist/bench -name '*.serial.test.js' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "test: no test files found" >&2
  exit 1
fi
# One file at a time per core keeps the API-server tests from starving each other.
status=0
node --test --test-concurrency=2 --test-reporter=spec "$@" "${files[@]}" || status=$?
# Tests that measure behaviour under their own load (zero failed requests in a rollout) run
# alone afterwards, so other tests' clusters do not share the two cores with them.
if [ "${#serial[@]}" -gt 0 ]; then
  node --test --test-concurrency=1 --test-reporter=spec "$@" "${serial[@]}" || status=$?
fi
exit "$status"
