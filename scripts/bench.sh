#!/usr/bin/env bash
# Benchmarks on loopback with the release build, two paths in the same run:
#   direct:  fixload -> fixsim (the floor any gateway is measured against)
#   gateway: fixload -> fixgw -> fixsim (journal on, JournalSync=normal)
# For each: closed loop (--in-flight 1 and 100: latency and max throughput)
# and open loop (--rate: latency from the intended send time, so queueing
# delay counts and coordinated omission is avoided).
# Prints one JSON line per run, with "path" added. Usage: scripts/bench.sh [ORDERS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

orders="${1:-20000}"
scripts/build.sh release >&2
bin="$PWD/build-release/bin"
run=$(mktemp -d /tmp/fixgw-bench.XXXXXX)
trap 'stop_process ${gw_pid:-0}; stop_process ${sim_pid:-0}' EXIT
start_exchange_and_gateway "$bin" "$run"

load() {
  local path="$1" cfg=direct
  shift
  [ "$path" = gateway ] && cfg=broker2
  "$bin/fixload" --config "$run/$cfg.cfg" --json --symbol MSFT --price 250 --account LOAD \
    --orders "$orders" "$@" | tail -n 1 | sed "s/^{/{\"path\":\"$path\",/"
}

echo "# $orders orders per run, $(nproc) cores, $(date -u +%FT%TZ)" >&2
for path in direct gateway; do
  load "$path" --in-flight 1
  load "$path" --in-flight 100
  for rate in 1000 2000; do
    load "$path" --rate "$rate"
  done
done
