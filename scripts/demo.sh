#!/usr/bin/env bash
# The main job, end to end on this machine: install what is missing, build,
# start the exchange simulator on a free loopback port, run a scripted broker
# session against it (orders, fills across price levels, cancel, replace,
# rejects) and a short load run, then stop everything.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/build.sh dev
bin="$PWD/build/bin"
run=$(mktemp -d /tmp/fixgw-demo.XXXXXX)
port=$(free_port)
render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$port" SPEC="$PWD/fixspec/FIX44.xml"
render docs/examples/fixload.cfg "$run/client1.cfg" PORT="$port" SPEC="$PWD/fixspec/FIX44.xml" SENDER=CLIENT1
render docs/examples/fixload.cfg "$run/client2.cfg" PORT="$port" SPEC="$PWD/fixspec/FIX44.xml" SENDER=CLIENT2

"$bin/fixsim" --config "$run/fixsim.cfg" 2>"$run/fixsim.log" &
sim_pid=$!
trap 'stop_process $sim_pid' EXIT
wait_port "$port" 10

echo "== fixsim on 127.0.0.1:$port (files in $run)"
echo "== scripted session: docs/examples/demo.script"
"$bin/fixload" --config "$run/client1.cfg" --script docs/examples/demo.script --verbose

echo
echo "== load: 20000 orders open-loop at 5000/s"
"$bin/fixload" --config "$run/client2.cfg" --orders 20000 --rate 5000 --symbol MSFT --price 250
echo
echo "== load: 20000 orders closed-loop, 50 in flight"
"$bin/fixload" --config "$run/client2.cfg" --orders 20000 --in-flight 50 --symbol MSFT --price 250

stop_process $sim_pid
trap - EXIT
echo
echo "== fixsim log"
cat "$run/fixsim.log"
