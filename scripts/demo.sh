#!/usr/bin/env bash
# The main job, end to end on this machine: install what is missing, build,
# start the exchange simulator and the gateway on free loopback ports, run a
# scripted broker session through the gateway (orders, fills across price
# levels, a replace, a cancel, rejects) printing every message with field
# names, run a short load through the gateway, stop everything cleanly,
# replay one order's audit trail from the journal and verify its hash chain,
# leave the journal for inspection. The gateway has two venues, XA (fixsim
# SIM: AAPL, EURX) and XB (a second fixsim, SIMB: MSFT), and a drop-copy
# session DROPCOPY for account ACC1: one order goes by ExDestination (100),
# one by the symbol table, and a drop-copy consumer prints its copies.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/build.sh dev
bin="$PWD/build/bin"
run=$(mktemp -d /tmp/fixgw-demo.XXXXXX)
trap 'stop_process ${dc_pid:-0}; stop_process ${gw_pid:-0}; stop_process ${sim_pid:-0}; stop_process ${simb_pid:-0}' EXIT

# wait_log TEXT LOG SECONDS: succeeds once LOG holds TEXT.
wait_log() {
  local text="$1" log="$2" deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    grep -qF "$text" "$log" && return 0
    sleep 0.1
  done
  return 1
}

# start_exchange_and_gateway (scripts/lib.sh) with a second venue and a
# drop copy: its example configs, plus fixsim-b.cfg (SenderCompID SIMB), the
# Venue=/VenueSymbols= keys, the session towards SIMB and the drop-copy
# session DROPCOPY in fixgw.cfg, and dropcopy.cfg for fixload. Sets simb_pid
# and simb_port besides what launch_exchange_and_gateway sets.
start_two_venues_and_gateway() {
  local bin="$1" run="$2" spec="$PWD/fixspec/FIX44.xml"
  sim_port=$(free_port)
  gw_port=$(free_port)
  admin_port=$(free_port)
  simb_port=$(free_port)
  cp docs/examples/risk.toml "$run/risk.toml"
  render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$sim_port" SPEC="$spec"
  render docs/examples/fixsim.cfg "$run/fixsim-b.cfg" PORT="$simb_port" SPEC="$spec"
  sed -i 's/^SenderCompID=SIM$/SenderCompID=SIMB/' "$run/fixsim-b.cfg"
  render docs/examples/fixgw.cfg "$run/fixgw.cfg" PORT="$gw_port" SIMPORT="$sim_port" ADMINPORT="$admin_port" SPEC="$spec" DIR="$run"
  # NOPE is no instrument (not in Symbols): listed for XA only so that
  # demo.script's unknown symbol is refused as such (OrdRejReason 1); with
  # several venues fixgw looks for the symbol's venue first and would
  # refuse it as "no venue for symbol" (99).
  sed -i 's/^TargetCompID=SIM$/TargetCompID=SIM\nVenue=XA\nVenueSymbols=AAPL,EURX,NOPE/' "$run/fixgw.cfg"
  # Before [GATEWAY], with the other sessions.
  local more
  more=$(printf '%s\n' \
    '# The second venue: orders for MSFT, and those with ExDestination=XB.' \
    '[SESSION]' 'ConnectionType=initiator' 'TargetCompID=SIMB' \
    'SocketConnectHost=127.0.0.1' "SocketConnectPort=$simb_port" \
    'Venue=XB' 'VenueSymbols=MSFT' '' \
    '# A drop copy: a copy of every report of account ACC1.' \
    '[SESSION]' 'ConnectionType=acceptor' 'TargetCompID=DROPCOPY' \
    'SocketAcceptHost=127.0.0.1' "SocketAcceptPort=$gw_port" \
    'Role=dropcopy' 'DropCopyAccounts=ACC1')
  awk -v more="$more" '/^\[GATEWAY\]/ { print more; print "" } { print }' \
    "$run/fixgw.cfg" >"$run/fixgw.cfg.new"
  mv "$run/fixgw.cfg.new" "$run/fixgw.cfg"
  render docs/examples/fixload.cfg "$run/broker1.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER1 TARGET=GW
  render docs/examples/fixload.cfg "$run/broker2.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER2 TARGET=GW
  render docs/examples/fixload.cfg "$run/dropcopy.cfg" PORT="$gw_port" SPEC="$spec" SENDER=DROPCOPY TARGET=GW

  "$bin/fixsim" --config "$run/fixsim-b.cfg" >"$run/fixsim-b.out" 2>"$run/fixsim-b.log" &
  simb_pid=$!
  wait_port "$simb_port" 10
  launch_exchange_and_gateway "$bin" "$run"
  wait_log "GW->SIMB logged on" "$run/fixgw.log" 10 || {
    echo "fixgw's session to the second venue did not log on; see $run/fixgw.log" >&2
    return 1
  }
}

start_two_venues_and_gateway "$bin" "$run"

echo "== fixsim on 127.0.0.1:$sim_port (venue XA), a second fixsim on 127.0.0.1:$simb_port (venue XB), fixgw on 127.0.0.1:$gw_port (files in $run)"
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

echo
echo "== two venues: XA (fixsim SIM: AAPL, EURX) and XB (fixsim SIMB: MSFT), and a drop copy of account ACC1"
# The consumer logs on first and expects the copies of BROKER1's reports
# below, in order, each marked CopyMsgIndicator=Y.
cat >"$run/dropcopy.script" <<'SCRIPT'
expect 8 ClOrdID=venue-1 ExecType=0 CopyMsgIndicator=Y
expect 8 ClOrdID=venue-2 ExecType=0 CopyMsgIndicator=Y
expect 8 ClOrdID=venue-3 ExecType=8 CopyMsgIndicator=Y
expect 8 ClOrdID=venue-4 ExecType=4 CopyMsgIndicator=Y
expect 8 ClOrdID=venue-5 ExecType=4 CopyMsgIndicator=Y
SCRIPT
cat >"$run/venues.script" <<'SCRIPT'
# Routed by ExDestination (100): AAPL, which the symbol table gives to XA, to XB.
send D ClOrdID=venue-1 Account=ACC1 Symbol=AAPL Side=1 OrderQty=10 OrdType=2 Price=99.00 TimeInForce=0 ExDestination=XB
expect 8 ClOrdID=venue-1 ExecType=0 OrdStatus=0
# Routed by the symbol table (VenueSymbols): AAPL to XA.
send D ClOrdID=venue-2 Account=ACC1 Symbol=AAPL Side=1 OrderQty=10 OrdType=2 Price=99.00 TimeInForce=0
expect 8 ClOrdID=venue-2 ExecType=0 OrdStatus=0
# A venue fixgw does not know: refused, naming those it knows.
send D ClOrdID=venue-3 Account=ACC1 Symbol=AAPL Side=1 OrderQty=10 OrdType=2 Price=99.00 TimeInForce=0 ExDestination=XC
expect 8 ClOrdID=venue-3 ExecType=8 OrdStatus=8 OrdRejReason=99 "Text=unknown venue 'XC' in ExDestination (100) (venues: XA, XB)"
# Each cancel goes to the venue of its order.
send F ClOrdID=venue-4 OrigClOrdID=venue-1 Symbol=AAPL Side=1
expect 8 ClOrdID=venue-4 OrigClOrdID=venue-1 ExecType=4 OrdStatus=4
send F ClOrdID=venue-5 OrigClOrdID=venue-2 Symbol=AAPL Side=1
expect 8 ClOrdID=venue-5 OrigClOrdID=venue-2 ExecType=4 OrdStatus=4
SCRIPT
"$bin/fixload" --config "$run/dropcopy.cfg" --script "$run/dropcopy.script" --verbose --expect-timeout 20000 >"$run/dropcopy.out" 2>&1 &
dc_pid=$!
wait_log "GW->DROPCOPY logged on" "$run/fixgw.log" 10 || {
  echo "the drop-copy consumer did not log on; see $run/fixgw.log and $run/dropcopy.out" >&2
  exit 1
}
echo "== BROKER1 -> fixgw -> XA or XB: $run/venues.script"
"$bin/fixload" --config "$run/broker1.cfg" --script "$run/venues.script" --verbose
echo "== DROPCOPY <- fixgw: what the drop-copy consumer received"
dc_rc=0
wait "$dc_pid" || dc_rc=$?
dc_pid=
cat "$run/dropcopy.out"
if [ "$dc_rc" -ne 0 ]; then
  echo "the drop-copy consumer did not get its copies (fixload exit $dc_rc)" >&2
  exit 1
fi
echo "== each venue's session (GET /health) and orders (GET /metrics)"
curl -s "http://127.0.0.1:$admin_port/health"
echo
curl -s -H "$auth" "http://127.0.0.1:$admin_port/metrics" | grep -E '^fixgw_venue_(up|orders_total)' || true

stop_process $gw_pid
stop_process $sim_pid
stop_process $simb_pid
trap - EXIT
echo
echo "== fixgw log: $(wc -l < "$run/fixgw.log") lines, one per event; the first events and every warning:"
grep -v -E ' info  (order accepted|exchange report|cancel forwarded|replace forwarded)' "$run/fixgw.log" | head -40
grep -m 6 -E ' info  (order accepted|exchange report)' "$run/fixgw.log"
echo
echo "== fixreplay: the audit trail of demo-8 (partially filled, then canceled)"
"$bin/fixreplay" "$run/journal.db" --order demo-8
echo
echo "== fixreplay --venue XB: the trail of XB (the load's MSFT orders and venue-1); venue-1's lines"
"$bin/fixreplay" "$run/journal.db" --venue XB | grep -F "cl_ord_id=venue-"
echo
echo "== fixreplay --verify: the journal's hash chain"
"$bin/fixreplay" "$run/journal.db" --verify
echo
echo "== journal left for inspection: $run/journal.db"
