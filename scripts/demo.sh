#!/usr/bin/env bash
# The main job, end to end on this machine: install what is missing, build,
# start the exchange simulator and the gateway on free loopback ports, run a
# scripted broker session through the gateway (orders, fills across price
# levels, a replace, a cancel, rejects) printing every message with field
# names, run a short load through the gateway, stop everything cleanly,
# replay one order's audit trail from the journal and verify its hash chain,
# leave the journal for inspection.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/build.sh dev
bin="$PWD/build/bin"
run=$(mktemp -d /tmp/fixgw-demo.XXXXXX)
trap 'stop_process ${gw_pid:-0}; stop_process ${sim_pid:-0}' EXIT
start_exchange_and_gateway "$bin" "$run"

echo "== fixsim on 127.0.0.1:$sim_port, fixgw on 127.0.0.1:$gw_port (files in $run)"
echo "== BROKER1 -> fixgw -> fixsim: docs/examples/demo.script"
echo "   (> sent by the broker, < received by the broker)"
"$bin/fixload" --config "$run/broker1.cfg" --script docs/examples/demo.script --verbose

echo
echo "== load through the gateway: 5000 orders open-loop at 1000/s"
"$bin/fixload" --config "$run/broker2.cfg" --orders 5000 --rate 1000 --symbol MSFT --price 250 --account LOAD
echo
echo "== load through the gateway: 5000 orders closed-loop, 20 in flight"
"$bin/fixload" --config "$run/broker2.cfg" --orders 5000 --in-flight 20 --symbol MSFT --price 250 --account LOAD

echo
# The admin API wants the token of $run/admin-tokens (make_admin_token,
# scripts/lib.sh) and JSON bodies for POSTs.
auth="Authorization: Bearer $admin_token"
json="Content-Type: application/json"
echo "== risk state (admin API: GET /state)"
curl -s -H "$auth" "http://127.0.0.1:$admin_port/state" | head -c 2000; echo
echo "== kill switch for account ACC1 (admin API: POST /kill-switch)"
curl -s -H "$auth" -H "$json" -d '{"action":"engage","scope":"account","name":"ACC1","reason":"demo"}' "http://127.0.0.1:$admin_port/kill-switch"
"$bin/fixload" --config "$run/broker1.cfg" --script docs/examples/demo_kill.script --verbose
curl -s -H "$auth" -H "$json" -d '{"action":"disengage","scope":"account","name":"ACC1"}' "http://127.0.0.1:$admin_port/kill-switch"
echo
echo "== health, sessions and metrics (admin API: GET /health, /sessions, /metrics)"
curl -s "http://127.0.0.1:$admin_port/health"
curl -s -H "$auth" "http://127.0.0.1:$admin_port/sessions"
curl -s -H "$auth" "http://127.0.0.1:$admin_port/metrics" |
  grep -E '^fixgw_(orders_|fills|open_orders|journal_commit_seconds_count|order_path_seconds_(count|sum)|risk_cash_utilisation|kill_switch)' || true
echo "   (status page for people while fixgw runs: http://127.0.0.1:$admin_port/, user ops, password the token in $run/admin-tokens)"

stop_process $gw_pid
stop_process $sim_pid
trap - EXIT
echo
echo "== fixgw log: $(wc -l < "$run/fixgw.log") lines, one per event; the first events and every warning:"
grep -v -E ' info  (order accepted|exchange report|cancel forwarded|replace forwarded)' "$run/fixgw.log" | head -40
grep -m 6 -E ' info  (order accepted|exchange report)' "$run/fixgw.log"
echo
echo "== fixreplay: the audit trail of demo-8 (partially filled, then canceled)"
"$bin/fixreplay" "$run/journal.db" --order demo-8
echo
echo "== fixreplay --verify: the journal's hash chain"
"$bin/fixreplay" "$run/journal.db" --verify
echo
echo "== journal left for inspection: $run/journal.db"
