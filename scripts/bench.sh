#!/usr/bin/env bash
# Benchmarks on loopback with the release build. For now: fixload against
# fixsim directly (the floor any gateway is measured against); the gateway
# path and its pass-through baseline join when fixgw exists.
#   closed loop: --in-flight K, maximum throughput;
#   open loop:   --rate R, latency from the intended send time (no
#                coordinated omission).
# Prints one JSON line per run. Usage: scripts/bench.sh [ORDERS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

orders="${1:-50000}"
scripts/build.sh release >&2
bin="$PWD/build-release/bin"
run=$(mktemp -d /tmp/fixgw-bench.XXXXXX)
port=$(free_port)
spec="$PWD/fixspec/FIX44.xml"
render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$port" SPEC="$spec"
render docs/examples/fixload.cfg "$run/client.cfg" PORT="$port" SPEC="$spec" SENDER=CLIENT1

"$bin/fixsim" --config "$run/fixsim.cfg" 2>"$run/fixsim.log" &
sim_pid=$!
trap 'stop_process $sim_pid' EXIT
wait_port "$port" 10

load() {
  "$bin/fixload" --config "$run/client.cfg" --json --symbol MSFT --price 250 \
    --orders "$orders" "$@" | tail -n 1
}

echo "# fixload -> fixsim, $orders orders per run, $(nproc) cores, $(date -u +%FT%TZ)" >&2
load --in-flight 1
load --in-flight 100
for rate in 5000 10000 20000; do
  load --rate "$rate"
done
