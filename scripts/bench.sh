#!/usr/bin/env bash
# Benchmarks on loopback with the release build, four paths in one run:
#   normal:      fixload -> fixgw -> fixsim, risk + journal, JournalSync=normal
#   full:        the same with JournalSync=full (an fsync per group commit)
#   passthrough: the same FIX path with PassThrough=Y (no risk, no journal):
#                the baseline the gateway's own cost is measured against
#   direct:      fixload -> fixsim, no gateway at all
# Each path: closed loop with 1 in flight (round-trip latency) and 100 in
# flight (maximum throughput), and open loop at --rate (latency from each
# order's intended send time: queueing counts, no coordinated omission).
# Every load runs REPS times; the medians are reported. Prints one JSON line
# per run (with "path" and "rep"), a table of medians and ratios on stderr,
# and one JSON summary line at the end for comparing commits.
# RATE must stay below every path's saturation (JournalSync=full saturates
# first, at one fsync per exchange report: see docs/BENCHMARKS.md).
# Usage: scripts/bench.sh [ORDERS [REPS [RATE]]]   (defaults 10000 3 300)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

orders="${1:-10000}"
reps="${2:-3}"
rate="${3:-300}"
scripts/build.sh release >&2
bin="$PWD/build-release/bin"
root=$(mktemp -d /tmp/fixgw-bench.XXXXXX)
trap 'stop_process ${gw_pid:-0}; stop_process ${sim_pid:-0}' EXIT
results="$root/results.jsonl"

# field NAME: the numeric value of "NAME" in a JSON line on stdin.
field() { grep -o "\"$1\":[0-9.]*" | head -n 1 | cut -d: -f2; }
# median of numbers on stdin.
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

run_path() {
  local path="$1" cfg=broker2 run="$root/$1"
  mkdir -p "$run"
  if [ "$path" = direct ]; then
    start_exchange_and_gateway "$bin" "$run" normal
    cfg=direct
  else
    start_exchange_and_gateway "$bin" "$run" "$path"
  fi
  for rep in $(seq 1 "$reps"); do
    for load in "--in-flight 1" "--in-flight 100" "--rate $rate"; do
      # shellcheck disable=SC2086
      # A load that leaves orders unanswered still reports (missing > 0).
      { "$bin/fixload" --config "$run/$cfg.cfg" --json --symbol MSFT --price 250 \
          --account LOAD --orders "$orders" $load || true; } | tail -n 1 |
        sed "s/^{/{\"path\":\"$path\",\"rep\":$rep,\"load\":\"${load// /}\",/" |
        tee -a "$results"
    done
  done
  stop_process "$gw_pid"
  stop_process "$sim_pid"
  gw_pid=0 sim_pid=0
}

echo "# $orders orders per load, $reps reps, open loop at $rate/s, $(nproc) cores, $(date -u +%FT%TZ)" >&2
for path in passthrough normal full direct; do
  run_path "$path"
done

# med PATH LOAD FIELD: the median of FIELD over the reps of PATH/LOAD.
med() { grep "\"path\":\"$1\"" "$results" | grep "\"load\":\"$2\"" | field "$3" | median; }

{
  echo
  printf '%-12s %14s %12s %14s %12s %12s %12s\n' path "max orders/s" "p50 µs @1" "open p50 µs" "open p99" "open p99.9" "open max"
  for path in passthrough normal full direct; do
    printf '%-12s %14s %12s %14s %12s %12s %12s\n' "$path" \
      "$(med "$path" --in-flight100 throughput_ops)" "$(med "$path" --in-flight1 p50_us)" \
      "$(med "$path" "--rate$rate" p50_us)" "$(med "$path" "--rate$rate" p99_us)" \
      "$(med "$path" "--rate$rate" p999_us)" "$(med "$path" "--rate$rate" max_us)"
  done
} >&2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }
tp_pass=$(med passthrough --in-flight100 throughput_ops)
tp_norm=$(med normal --in-flight100 throughput_ops)
tp_full=$(med full --in-flight100 throughput_ops)
p50_pass=$(med passthrough --in-flight1 p50_us)
p50_norm=$(med normal --in-flight1 p50_us)
echo "{\"summary\":true,\"orders\":$orders,\"reps\":$reps,\"rate\":$rate,\"max_tp\":{\"passthrough\":$tp_pass,\"normal\":$tp_norm,\"full\":$tp_full,\"direct\":$(med direct --in-flight100 throughput_ops)},\"p50_us_1_in_flight\":{\"passthrough\":$p50_pass,\"normal\":$p50_norm,\"full\":$(med full --in-flight1 p50_us),\"direct\":$(med direct --in-flight1 p50_us)},\"ratio_tp_normal_vs_passthrough\":$(ratio "$tp_norm" "$tp_pass"),\"ratio_tp_full_vs_passthrough\":$(ratio "$tp_full" "$tp_pass"),\"p50_added_us_normal_vs_passthrough\":$(awk -v a="$p50_norm" -v b="$p50_pass" 'BEGIN{printf "%.1f", a-b}')}"
