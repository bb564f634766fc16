#!/usr/bin/env bash
# The main job, end to end on this machine: install what is missing, build,
# start the exchange simulator and the gateway on free loopback ports, run a
# scripted broker session through the gateway (orders, fills across price
# levels, a replace, a cancel, rejects) printing every message with field
# names, run a short load through the gateway, stop everything cleanly and
# leave the journal for inspection.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/build.sh dev
bin="$PWD/build/bin"
spec="$PWD/fixspec/FIX44.xml"
run=$(mktemp -d /tmp/fixgw-demo.XXXXXX)
sim_port=$(free_port)
gw_port=$(free_port)
render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$sim_port" SPEC="$spec"
render docs/examples/fixgw.cfg "$run/fixgw.cfg" PORT="$gw_port" SIMPORT="$sim_port" SPEC="$spec" DIR="$run"
render docs/examples/fixload.cfg "$run/broker1.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER1 TARGET=GW
render docs/examples/fixload.cfg "$run/broker2.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER2 TARGET=GW

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

echo "== fixsim on 127.0.0.1:$sim_port, fixgw on 127.0.0.1:$gw_port (files in $run)"
echo "== BROKER1 -> fixgw -> fixsim: docs/examples/demo.script"
echo "   (> sent by the broker, < received by the broker)"
"$bin/fixload" --config "$run/broker1.cfg" --script docs/examples/demo.script --verbose

echo
echo "== load through the gateway: 5000 orders open-loop at 1000/s"
"$bin/fixload" --config "$run/broker2.cfg" --orders 5000 --rate 1000 --symbol MSFT --price 250
echo
echo "== load through the gateway: 5000 orders closed-loop, 20 in flight"
"$bin/fixload" --config "$run/broker2.cfg" --orders 5000 --in-flight 20 --symbol MSFT --price 250

stop_process $gw_pid
stop_process $sim_pid
trap - EXIT
echo
echo "== fixgw log"
cat "$run/fixgw.log"
echo
echo "== journal left for inspection: $run/journal.db"
