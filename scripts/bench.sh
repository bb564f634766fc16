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
#
# Then, once each (issue 8):
#   sessions: 1, 4 and 16 broker sessions at once (one fixload each, 100
#     orders in flight in all), for passthrough, normal and full: the sum
#     of their throughput, and the CPU share of fixgw and of fixsim (fixsim
#     must never be the bottleneck: its share is far below one core);
#   tidal: on the normal path, one session sends 5 x R_QUIET orders/s for
#     10 s (R_QUIET = 1/8 of the normal path's measured maximum), while a
#     second session sends R_QUIET orders/s throughout, measured in 5 s
#     windows: every order of both must be answered and none refused, and
#     the windows after the burst show how fast latency recovers;
#   overload: one session offers 3x the normal path's maximum for 4 s:
#     backpressure, every order answered, fixgw's peak RSS;
#   memory: fixgw's RSS after MEM_ORDERS orders (default 100000) on the
#     normal path, sampled every 20,000.
# Usage: scripts/bench.sh [ORDERS [REPS [RATE [MEM_ORDERS]]]]
#        (defaults 5000 3 300 100000: about 9 minutes on 2 cores; the
#        open-loop loads send at most 10 s of orders)
#        scripts/bench.sh --memory N: the memory run only, for N orders
#        (1000000 takes about 4 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

memory_only=0
if [ "${1:-}" = "--memory" ]; then
  memory_only=1
  shift
  set -- 5000 3 300 "${1:-1000000}"
fi
orders="${1:-5000}"
reps="${2:-3}"
rate="${3:-300}"
mem_orders="${4:-100000}"
scripts/build.sh release >&2
bin="$PWD/build-release/bin"
root=$(mktemp -d /tmp/fixgw-bench.XXXXXX)
# The run's folder (journals: 3.8 kB per order, 4 GB for --memory 1000000)
# goes at the end unless BENCH_KEEP=1.
trap 'stop_process ${gw_pid:-0}; stop_process ${sim_pid:-0}; [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$root"' EXIT
results="$root/results.jsonl"

# field NAME: the numeric value of the first "NAME" in each JSON line on
# stdin (one value a line).
field() { awk -v key="\"$1\":" '{ i = index($0, key); if (i == 0) next; v = substr($0, i + length(key)); match(v, /^[0-9.]+/); if (RLENGTH > 0) print substr(v, 1, RLENGTH) }'; }
# median of numbers on stdin.
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# fixload_json ARGS...: fixload's JSON report of MSFT orders at 250 for the LOAD
# account; a load that leaves orders unanswered still reports (missing > 0).
fixload_json() { "$bin/fixload" --json --symbol MSFT --price 250 --account LOAD "$@" || true; }
stop_both() {
  stop_process "$gw_pid"
  stop_process "$sim_pid"
  gw_pid=0 sim_pid=0
}

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
      # Open loop: at most 10 s of orders, which keeps the script under 10
      # minutes.
      local n="$orders"
      case "$load" in --rate*) n=$((rate * 10 < orders ? rate * 10 : orders)) ;; esac
      # shellcheck disable=SC2086
      fixload_json --config "$run/$cfg.cfg" --orders "$n" $load | tail -n 1 |
        sed "s/^{/{\"path\":\"$path\",\"rep\":$rep,\"load\":\"${load// /}\",/" |
        tee -a "$results"
    done
  done
  stop_both
}

# cpu_s PID: CPU seconds (user + system) the process has used so far.
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

# run_sessions MODE N: N sessions at once, 100 orders in flight in all.
run_sessions() {
  local mode="$1" n="$2" run="$root/sessions-$1-$2"
  mkdir -p "$run"
  BENCH_SESSIONS="$n" start_exchange_and_gateway "$bin" "$run" "$mode"
  local per=$(((orders + n - 1) / n)) in_flight=$(((100 + n - 1) / n))
  local g0 s0 t0 t1 i pids=()
  g0=$(cpu_s "$gw_pid") s0=$(cpu_s "$sim_pid") t0=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    fixload_json --config "$run/bench$i.cfg" --orders "$per" --in-flight "$in_flight" |
      tail -n 1 >"$run/load$i.json" &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(date +%s.%N)
  local acked missing tp
  # Each fixload times its own orders (first sent to last answered), not
  # its start and logon: their throughputs are summed.
  tp=$(for f in "$run"/load*.json; do field throughput_ops <"$f"; done | awk '{s += $1} END {print s + 0}')
  acked=$(for f in "$run"/load*.json; do field acked <"$f"; done | awk '{s += $1} END {print s + 0}')
  missing=$(for f in "$run"/load*.json; do field missing <"$f"; done | awk '{s += $1} END {print s + 0}')
  awk -v mode="$mode" -v n="$n" -v acked="$acked" -v missing="$missing" \
      -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
      -v g="$(awk -v a="$g0" -v b="$(cpu_s "$gw_pid")" 'BEGIN {print b - a}')" \
      -v s="$(awk -v a="$s0" -v b="$(cpu_s "$sim_pid")" 'BEGIN {print b - a}')" \
      -v tp="$tp" \
      'BEGIN {printf "{\"sessions\":%d,\"path\":\"%s\",\"acked\":%d,\"missing\":%d,\"elapsed_s\":%.3f,\"throughput_ops\":%.1f,\"fixgw_cpu_share\":%.2f,\"fixsim_cpu_share\":%.2f}\n", n, mode, acked, missing, t, tp, g / t, s / t}' |
    tee -a "$results"
  stop_both
}

# run_tidal QUIET_RATE: the burst test described at the top.
run_tidal() {
  local quiet="$1" run="$root/tidal"
  mkdir -p "$run"
  BENCH_SESSIONS=2 start_exchange_and_gateway "$bin" "$run" normal
  local burst=$((quiet * 5)) w
  fixload_json --config "$run/bench1.cfg" --orders $((burst * 10)) --rate "$burst" |
    tail -n 1 | sed "s/^{/{\"tidal\":\"burst\",\"rate\":$burst,/" >"$run/burst.json" &
  local burst_pid=$!
  for w in 1 2 3 4 5 6; do
    fixload_json --config "$run/bench2.cfg" --orders $((quiet * 5)) --rate "$quiet" --id-prefix "W$w" |
      tail -n 1 | sed "s/^{/{\"tidal\":\"window $w (s $(((w - 1) * 5))-$((w * 5)))\",/" |
      tee -a "$results"
  done
  wait "$burst_pid"
  tee -a "$results" <"$run/burst.json"
  echo "{\"tidal\":\"fixgw\",\"rss_mb\":$(rss_mb "$gw_pid")}" | tee -a "$results"
  stop_both
}

# run_overload MAX: one session offers 3 x MAX orders/s for 4 s, more than
# fixgw can journal: fixgw's queues are bounded, so TCP pushes back on the
# broker (fixload's own send queue grows, and its latency shows it), every
# order is still answered, and fixgw's RSS is sampled every 0.5 s.
run_overload() {
  local max="$1" run="$root/overload"
  mkdir -p "$run"
  start_exchange_and_gateway "$bin" "$run" normal
  local offered=$((max * 3)) peak=0 rss
  fixload_json --config "$run/broker2.cfg" --orders $((offered * 4)) --rate "$offered" --drain-timeout 120 |
    tail -n 1 | sed "s/^{/{\"overload\":true,\"offered_rate\":$offered,/" >"$run/load.json" &
  local load_pid=$!
  while kill -0 "$load_pid" 2>/dev/null; do
    rss=$(rss_mb "$gw_pid")
    peak=$(awk -v a="$peak" -v b="$rss" 'BEGIN {print (b > a ? b : a)}')
    sleep 0.5
  done
  wait "$load_pid" || true
  sed "s/}\$/,\"fixgw_peak_rss_mb\":$peak}/" "$run/load.json" | tee -a "$results"
  stop_both
}

# run_memory N: fixgw's RSS every 20,000 orders up to N (normal path).
run_memory() {
  local n="$1" run="$root/memory" done_orders=0 chunk=20000
  mkdir -p "$run"
  start_exchange_and_gateway "$bin" "$run" normal
  echo "{\"memory\":true,\"orders\":0,\"rss_mb\":$(rss_mb "$gw_pid")}" | tee -a "$results"
  while [ "$done_orders" -lt "$n" ]; do
    fixload_json --config "$run/broker2.cfg" --orders "$chunk" --in-flight 100 \
      --id-prefix "M$done_orders" >/dev/null
    done_orders=$((done_orders + chunk))
    echo "{\"memory\":true,\"orders\":$done_orders,\"rss_mb\":$(rss_mb "$gw_pid"),\"journal_mb\":$(du -cm "$run"/journal.db* | tail -n 1 | cut -f1)}" |
      tee -a "$results"
  done
  stop_both
}

if [ "$memory_only" = 1 ]; then
  echo "# memory only: $mem_orders orders, $(nproc) cores, $(date -u +%FT%TZ)" >&2
  run_memory "$mem_orders"
  exit 0
fi
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

for n in 1 4 16; do
  for mode in passthrough normal full; do
    run_sessions "$mode" "$n"
  done
done
# sess N MODE: the sessions run's throughput.
sess() { grep "\"sessions\":$1,\"path\":\"$2\"" "$results" | field throughput_ops; }
{
  echo
  printf '%-9s %-12s %14s %12s %12s\n' sessions path "orders/s" "fixgw cpu" "fixsim cpu"
  grep '"sessions":' "$results" | while read -r line; do
    printf '%-9s %-12s %14s %12s %12s\n' "$(echo "$line" | field sessions)" \
      "$(echo "$line" | grep -o '"path":"[a-z]*"' | cut -d'"' -f4)" \
      "$(echo "$line" | field throughput_ops)" "$(echo "$line" | field fixgw_cpu_share)" \
      "$(echo "$line" | field fixsim_cpu_share)"
  done
} >&2
tp_pass=$(med passthrough --in-flight100 throughput_ops)
tp_norm=$(med normal --in-flight100 throughput_ops)
quiet=$(awk -v t="$tp_norm" 'BEGIN {q = int(t / 8); print (q < 50 ? 50 : q)}')
run_tidal "$quiet"
run_overload "$(awk -v t="$tp_norm" 'BEGIN {print int(t)}')"
run_memory "$mem_orders"
tp_full=$(med full --in-flight100 throughput_ops)
p50_pass=$(med passthrough --in-flight1 p50_us)
p50_norm=$(med normal --in-flight1 p50_us)
echo "{\"summary\":true,\"orders\":$orders,\"reps\":$reps,\"rate\":$rate,\"max_tp\":{\"passthrough\":$tp_pass,\"normal\":$tp_norm,\"full\":$tp_full,\"direct\":$(med direct --in-flight100 throughput_ops)},\"p50_us_1_in_flight\":{\"passthrough\":$p50_pass,\"normal\":$p50_norm,\"full\":$(med full --in-flight1 p50_us),\"direct\":$(med direct --in-flight1 p50_us)},\"ratio_tp_normal_vs_passthrough\":$(ratio "$tp_norm" "$tp_pass"),\"ratio_tp_full_vs_passthrough\":$(ratio "$tp_full" "$tp_pass"),\"p50_added_us_normal_vs_passthrough\":$(awk -v a="$p50_norm" -v b="$p50_pass" 'BEGIN{printf "%.1f", a-b}'),\"sessions_tp\":{\"1\":{\"passthrough\":$(sess 1 passthrough),\"normal\":$(sess 1 normal),\"full\":$(sess 1 full)},\"4\":{\"passthrough\":$(sess 4 passthrough),\"normal\":$(sess 4 normal),\"full\":$(sess 4 full)},\"16\":{\"passthrough\":$(sess 16 passthrough),\"normal\":$(sess 16 normal),\"full\":$(sess 16 full)}},\"ratio_tp_full_vs_passthrough_16_sessions\":$(ratio "$(sess 16 full)" "$(sess 16 passthrough)"),\"tidal_quiet_rate\":$quiet,\"tidal_burst_missing\":$(grep '"tidal":"burst"' "$results" | field missing),\"overload\":{\"acked\":$(grep '"overload":true' "$results" | field acked),\"missing\":$(grep '"overload":true' "$results" | field missing),\"fixgw_peak_rss_mb\":$(grep '"overload":true' "$results" | field fixgw_peak_rss_mb)},\"rss_mb_after\":{\"0\":$(grep '"memory":true,"orders":0,' "$results" | field rss_mb),\"$mem_orders\":$(grep "\"memory\":true,\"orders\":$mem_orders," "$results" | field rss_mb)}}"
