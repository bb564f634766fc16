#!/usr/bin/env bash
# What TLS costs: fixload -> fixgw -> fixsim on loopback, plaintext and then
# TLS on both sides (client certificates required, the exchange verified),
# in one run with the same binaries, orders and loads: closed loop with 1 in
# flight (round trip, p50) and 100 in flight (throughput). Prints one JSON
# line per load and a table of medians.
# Usage: scripts/tls_cost.sh [BIN_DIR [ORDERS [REPS]]]
#   BIN_DIR defaults to build/bin (the dev build: label figures as such);
#   build-release/bin for release figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bin="$(cd "${1:-build/bin}" && pwd)"
orders="${2:-5000}"
reps="${3:-3}"
root=$(mktemp -d /tmp/fixgw-tlscost.XXXXXX)
trap 'stop_process ${gw_pid:-0}; stop_process ${sim_pid:-0}' EXIT
scripts/make_pki.sh "$root/pki" 1
pki="$root/pki"
results="$root/results.jsonl"

# insert_after_default FILE LINES: LINES right after the [DEFAULT] header.
insert_after_default() {
  printf '%s\n' "$2" >"$1.tls"
  sed -i "/^\[DEFAULT\]/r $1.tls" "$1"
}

run_mode() {
  local mode="$1" run="$root/$1"
  mkdir -p "$run"
  if [ "$mode" = tls ]; then
    # start_exchange_and_gateway renders and starts in one go: render first
    # with a dry run of our own, then start with the TLS keys added.
    start_exchange_and_gateway_tls "$run"
  else
    start_exchange_and_gateway "$bin" "$run" normal
  fi
  for rep in $(seq 1 "$reps"); do
    for load in "--in-flight 1" "--in-flight 100"; do
      # shellcheck disable=SC2086
      { "$bin/fixload" --config "$run/broker2.cfg" --json --symbol MSFT --price 250 \
          --account LOAD --orders "$orders" $load || true; } | grep '^{' | tail -n 1 |
        sed "s/^{/{\"tls_mode\":\"$mode\",\"rep\":$rep,\"load\":\"${load// /}\",/" |
        tee -a "$results"
    done
  done
  stop_process "$gw_pid"
  stop_process "$sim_pid"
  gw_pid=0 sim_pid=0
}

# The same as start_exchange_and_gateway (scripts/lib.sh), with TLS keys in
# the [DEFAULT] of fixsim, fixgw (both sides) and the fixload configs.
start_exchange_and_gateway_tls() {
  local run="$1" spec="$PWD/fixspec/FIX44.xml"
  sim_port=$(free_port)
  gw_port=$(free_port)
  admin_port=$(free_port)
  cp docs/examples/risk.toml "$run/risk.toml"
  render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$sim_port" SPEC="$spec"
  render docs/examples/fixgw.cfg "$run/fixgw.cfg" PORT="$gw_port" SIMPORT="$sim_port" ADMINPORT="$admin_port" SPEC="$spec" DIR="$run"
  render docs/examples/fixload.cfg "$run/broker2.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER2 TARGET=GW
  insert_after_default "$run/fixsim.cfg" "SocketUseSSL=Y
ServerCertificateFile=$pki/exchange.pem
ServerCertificateKeyFile=$pki/exchange.key"
  insert_after_default "$run/fixgw.cfg" "SocketUseSSL=Y
ServerCertificateFile=$pki/server.pem
ServerCertificateKeyFile=$pki/server.key
CertificationAuthoritiesFile=$pki/ca.pem
CertificateVerifyLevel=1"
  insert_after_default "$run/broker2.cfg" "SocketUseSSL=Y
CertificationAuthoritiesFile=$pki/ca.pem
ClientCertificateFile=$pki/client.pem
ClientCertificateKeyFile=$pki/client.key"
  launch_exchange_and_gateway "$bin" "$run"
}

# field NAME: the numeric value of "NAME" in a JSON line on stdin.
field() { grep -o "\"$1\":[0-9.]*" | head -n 1 | cut -d: -f2; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo "# $orders orders per load, $reps reps, $(nproc) cores, $bin, $(date -u +%FT%TZ)" >&2
for mode in plain tls; do run_mode "$mode"; done
printf '%-6s %-12s %12s %10s\n' mode load orders/s p50_us >&2
for mode in plain tls; do
  for load in --in-flight1 --in-flight100; do
    sel=$(grep "\"tls_mode\":\"$mode\"" "$results" | grep -- "\"load\":\"$load\"" || true)
    tput=$(echo "$sel" | while read -r l; do echo "$l" | field throughput_ops; done | median)
    p50=$(echo "$sel" | while read -r l; do echo "$l" | field p50_us; done | median)
    printf '%-6s %-12s %12s %10s\n' "$mode" "$load" "$tput" "$p50" >&2
  done
done
