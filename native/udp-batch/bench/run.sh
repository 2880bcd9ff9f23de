#!/usr/bin/env bash
# dnsperf against the echo responder on dgram and on the addon (loop and thread modes), with
# and without the simulated per-packet work, alternating, ROUNDS times. Loopback only.
#   bash native/udp-batch/bench/run.sh [ROUNDS] [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rounds="${1:-2}"
seconds="${2:-10}"
impls="${IMPLS:-dgram loop thread}"
# PIN=1: the server on CPU 1, dnsperf on CPU 0 (less scheduler noise; one core per side).
server_cpu=(); client_cpu=()
if [ "${PIN:-}" = 1 ]; then server_cpu=(taskset -c 1); client_cpu=(taskset -c 0); fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 1000); do echo "svc-$i.default.svc.cluster.local A"; done >"$tmp/queries"

# knotd (one UDP worker) serving the same names, as a same-run reference: IMPLS="knot ...".
knot_start() {
  local dir="$tmp/knot" port
  mkdir -p "$dir"
  port="$(node -e 'const s=require("dgram").createSocket("udp4");s.bind(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  { echo '$ORIGIN cluster.local.'; echo '@ 30 IN SOA ns.dns hostmaster 1 7200 1800 86400 30'; echo '@ 30 IN NS ns.dns'
    for i in $(seq 1 1000); do echo "svc-$i.default.svc 30 IN A 10.96.$((i / 250)).$((i % 250 + 1))"; done; } >"$dir/cluster.local.zone"
  printf 'server:
    listen: 127.0.0.1@%s
    rundir: %s
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: %s
log:
  - target: stderr
    any: error
zone:
  - domain: cluster.local
    file: %s/cluster.local.zone
    storage: %s
    zonefile-sync: -1
    journal-content: none
' \
    "$port" "$dir" "$dir" "$dir" "$dir" >"$dir/knot.conf"
  "${server_cpu[@]}" "${KNOTD:-/usr/sbin/knotd}" -c "$dir/knot.conf" 2>"$dir/log" &
  knot_pid=$!
  for _ in $(seq 1 50); do dig +short +tries=1 +time=1 -p "$port" @127.0.0.1 svc-1.default.svc.cluster.local A >/dev/null 2>&1 && break; sleep 0.1; done
  knot_port="$port"
}

run_knot() {
  knot_start
  local out qps
  out="$( { /usr/bin/time -f 'dnsperf cpu user=%U sys=%S' "${client_cpu[@]}" dnsperf -s 127.0.0.1 -p "$knot_port" -d "$tmp/queries" -l "$seconds" -c 10 -T 1 -q 100 -Q 10000000; } 2>&1)"
  local cpu
  cpu="$(awk '{printf "{\"impl\":\"knotd\",\"userS\":%.2f,\"systemS\":%.2f}", $14/100, $15/100}' "/proc/$knot_pid/stat")"
  kill "$knot_pid"; wait "$knot_pid" || true
  rm -rf "$tmp/knot"
  qps="$(grep -E 'Queries per second' <<<"$out" | awk '{print $4}')"
  printf '%-7s %-5s qps=%-10s %s | %s\n' knotd - "$qps" "$(grep 'dnsperf cpu' <<<"$out")" "$cpu"
}

run_one() { # impl work
  if [ "$1" = knot ]; then [ "$2" = none ] && run_knot; return 0; fi
  mkfifo "$tmp/in"
  (cd "$root" && exec "${server_cpu[@]}" node --import tsx "$here/echo-server.ts" "$1" "$2" <"$tmp/in" >"$tmp/port" 2>"$tmp/report") &
  local pid=$!
  exec 3>"$tmp/in"
  for _ in $(seq 1 100); do grep -q port "$tmp/port" 2>/dev/null && break; sleep 0.1; done
  local port
  port="$(sed -E 's/.*"port":([0-9]+).*/\1/' "$tmp/port")"
  local out
  out="$( { /usr/bin/time -f 'dnsperf cpu user=%U sys=%S' "${client_cpu[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries" -l "$seconds" -c 10 -T 1 -q 100 -Q 10000000; } 2>&1)"
  exec 3>&-
  wait "$pid" || true
  rm -f "$tmp/in"
  local qps lost
  qps="$(grep -E 'Queries per second' <<<"$out" | awk '{print $4}')"
  lost="$(grep -E 'Queries lost' <<<"$out" | awk '{print $3, $4}')"
  printf '%-7s %-5s qps=%-10s lost=%-14s %s | %s\n' "$1" "${2:-none}" "$qps" "$lost" "$(grep 'dnsperf cpu' <<<"$out")" "$(cat "$tmp/report")"
}

for r in $(seq 1 "$rounds"); do
  echo "# round $r"
  for work in none work; do
    for impl in $impls; do run_one "$impl" "$work"; done
  done
done
