#!/usr/bin/env bash
# What the journal's start-up check costs (issue 18): fixgw started on
# journals of N entries of realistic order flow (replay_bench), first with
# JournalVerify=full (the whole hash chain), then, after a clean stop that
# recorded the head, with JournalVerify=checkpoint (only what follows it).
# For each start it reports the check's own time (fixgw's "verified" log
# line), the replay of the journal into the order table and risk state
# ("recovered"), and the wall time from exec to "started". The exchange
# side points at a closed port: no exchange is needed to start.
# Usage: scripts/startup_cost.sh [BUILD_DIR [ENTRIES...]]
#   BUILD_DIR defaults to build-release (cmake --preset release first);
#   ENTRIES defaults to 1000000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

build="${1:-build-release}"
shift || true
sizes=("$@")
if [ "${#sizes[@]}" -eq 0 ]; then sizes=(1000000); fi

cmake --build "$build" --target fixgw replay_bench >/dev/null
bin="$(cd "$build/bin" && pwd)"
root=$(mktemp -d /tmp/fixgw-startup.XXXXXX)
trap 'stop_process ${gw_pid:-0}; rm -rf "$root"' EXIT

# write_config RUN MODE
write_config() {
  cat >"$1/fixgw.cfg" <<CFG
[DEFAULT]
BeginString=FIX.4.4
SenderCompID=GW
StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
ReconnectInterval=30
UseDataDictionary=Y
DataDictionary=$spec
[SESSION]
ConnectionType=acceptor
TargetCompID=BROKER1
SocketAcceptHost=127.0.0.1
SocketAcceptPort=$gw_port
[SESSION]
ConnectionType=acceptor
TargetCompID=BROKER2
SocketAcceptHost=127.0.0.1
SocketAcceptPort=$gw_port
[SESSION]
ConnectionType=initiator
TargetCompID=SIM
SocketConnectHost=127.0.0.1
SocketConnectPort=$closed_port
[GATEWAY]
JournalPath=$1/journal.db
RiskConfig=$1/risk.toml
Symbols=AAPL,MSFT
JournalVerify=$2
CFG
}

# start RUN MODE LABEL: starts fixgw, waits for "started", prints a row,
# stops it cleanly (which records the head).
start() {
  local run="$1" mode="$2" label="$3" t0 t1 verify recover
  write_config "$run" "$mode"
  : >"$run/fixgw.log"
  t0=$(date +%s%N)
  "$bin/fixgw" --config "$run/fixgw.cfg" >/dev/null 2>"$run/fixgw.log" &
  gw_pid=$!
  for _ in $(seq 1 12000); do
    grep -q "started:" "$run/fixgw.log" && break
    kill -0 "$gw_pid" 2>/dev/null || { cat "$run/fixgw.log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  verify=$(sed -n 's/.*verified ([a-z]*): \([0-9]*\) entries from seq \([0-9]*\) to [0-9]* in \([0-9]*\) ms.*/\1 entries in \3 ms/p' "$run/fixgw.log")
  recover=$(sed -n 's/.*recovered \([0-9]*\) events.*/\1 events/p' "$run/fixgw.log")
  printf '%-28s %-30s %-16s %8d ms\n' "$label" "$verify" "$recover" $(((t1 - t0) / 1000000))
  stop_process "$gw_pid"
  gw_pid=0
}

spec="$PWD/fixspec/FIX44.xml"
gw_port=$(free_port)
closed_port=$(free_port)
printf '%-28s %-30s %-16s %11s\n' "start" "check" "replay" "to started"
for n in "${sizes[@]}"; do
  run="$root/$n"
  mkdir -p "$run"
  chmod 700 "$run"
  cp docs/examples/risk.toml "$run/risk.toml"
  "$bin/replay_bench" "$run/journal.db" "$n" >/dev/null
  start "$run" full "$n: full, first start"
  start "$run" full "$n: full"
  start "$run" checkpoint "$n: checkpoint"
done
