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
spec="$PWD/fixspec/FIX44.xml"
run=$(mktemp -d /tmp/fixgw-bench.XXXXXX)
sim_port=$(free_port)
gw_port=$(free_port)
render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$sim_port" SPEC="$spec"
render docs/examples/fixgw.cfg "$run/fixgw.cfg" PORT="$gw_port" SIMPORT="$sim_port" SPEC="$spec" DIR="$run"
render docs/examples/fixload.cfg "$run/direct.cfg" PORT="$sim_port" SPEC="$spec" SENDER=CLIENT1 TARGET=SIM
render docs/examples/fixload.cfg "$run/gateway.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER1 TARGET=GW

"$bin/fixsim" --config "$run/fixsim.cfg" 2>"$run/fixsim.log" &
sim_pid=$!
trap 'stop_process $sim_pid; stop_process ${gw_pid:-0}' EXIT
wait_port "$sim_port" 10
"$bin/fixgw" --config "$run/fixgw.cfg" 2>"$run/fixgw.log" &
gw_pid=$!
wait_port "$gw_port" 10
for _ in $(seq 1 100); do
  grep -q "GW->SIM logged on" "$run/fixgw.log" && break
  sleep 0.1
done

load() {
  local path="$1"
  shift
  "$bin/fixload" --config "$run/$path.cfg" --json --symbol MSFT --price 250 \
    --orders "$orders" "$@" | tail -n 1 | sed "s/^{/{\"path\":\"$path\",/"
}

echo "# $orders orders per run, $(nproc) cores, $(date -u +%FT%TZ)" >&2
for path in direct gateway; do
  load "$path" --in-flight 1
  load "$path" --in-flight 100
  for rate in 2000 5000; do
    load "$path" --rate "$rate"
  done
done
