#!/usr/bin/env bash
# Benchmarks on loopback with the release build, five paths in one run:
#   router:      fixload -> fixrouter -> fixsim: the bare QuickFIX
#                pass-through router (sim/fixrouter, about 60 lines of
#                public QuickFIX API, MemoryStore, no log): the baseline
#                the gateway's targets are stated against
#   normal:      fixload -> fixgw -> fixsim, risk + journal, JournalSync=normal
#   full:        the same with JournalSync=full (an fsync per group commit)
#   passthrough: the same FIX path with PassThrough=Y (no risk, no journal):
#                the gateway's own pass-through, the second reference
#   direct:      fixload -> fixsim, no middle process at all
# fixsim, fixload and their settings are the same on every path; fixrouter
# and fixgw accept the same broker sessions and use the same session
# settings (dictionary validation, SocketNodelay).
# Each path: closed loop with 1 in flight (round-trip latency), 100 and 200
# in flight (maximum throughput; the targets use 200), and open loop at
# --rate (latency from each order's intended send time: queueing counts, no
# coordinated omission). Every load runs REPS times, each rep taking the
# paths in turn (all their processes run from the start, so load drifting
# on a shared machine falls on every path alike); the medians are
# reported, with the number of runs each median is taken over. Every run
# is checked: all requested orders answered (acked == requested, none
# rejected or missing); the router also counts the messages it carried.
# Prints one JSON line per run (with "path", "rep" and "requested"), a table
# of medians and ratios on stderr, and one JSON summary line at the end for
# comparing commits. RATE must stay below every path's saturation
# (JournalSync=full saturates first: see docs/BENCHMARKS.md).
#
# Then, once each:
#   sessions: 1, 4 and 16 broker sessions at once (one fixload each,
#     SESSIONS_IN_FLIGHT orders in flight in all, default 200), for router,
#     passthrough, normal and full: the sum of their throughput, and the
#     CPU of the middle process (fixgw or fixrouter) and of fixsim, as a
#     share of the run's wall time (logons included: it reads low) and in
#     µs per order (the figure to compare; fixsim must never be the
#     bottleneck);
#   tidal: on the normal path, one session sends 5 x R_QUIET orders/s for
#     10 s (R_QUIET = 1/8 of the normal path's measured maximum), while a
#     second session sends R_QUIET orders/s throughout, measured in 5 s
#     windows: every order of both must be answered and none refused, and
#     the windows after the burst show how fast latency recovers;
#   overload: one session offers 3x the normal path's maximum for 4 s:
#     backpressure, every order answered, fixgw's peak RSS;
#   memory: fixgw's RSS after MEM_ORDERS orders (default 100000) on the
#     normal path, sampled every 20,000.
# fixgw's own read-to-write time is read from its /metrics
# (fixgw_order_path_seconds) after the first 1-in-flight load of the normal
# and full paths: the histogram's buckets bound its p50, its sum gives the
# mean.
# Usage: scripts/bench.sh [ORDERS [REPS [RATE [MEM_ORDERS]]]]
#        (defaults 5000 3 300 100000: about 12 minutes on 2 cores; the
#        open-loop loads send at most 10 s of orders)
#        scripts/bench.sh --memory N: the memory run only, for N orders
#        (1000000 takes about 4 minutes)
#        BENCH_SKIP_EXTRAS=1: paths and sessions only (no tidal, overload,
#        memory), for a quick comparison with the router
#        BENCH_EXECUTOR=PATH: one more path, fixrouter in front of QuickFIX's
#        example executor at PATH instead of fixsim (build it with
#        tests/peers/quickfix_examples/build.sh OUTDIR: PATH=OUTDIR/executor)
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
# Only the programs the benchmark runs.
scripts/deps.sh >&2
cmake --preset release >/dev/null
cmake --build --preset release --target fixgw fixsim fixload fixrouter >&2
bin="$PWD/build-release/bin"
sessions_in_flight="${SESSIONS_IN_FLIGHT:-200}"
root=$(mktemp -d /tmp/fixgw-bench.XXXXXX)
# The run's folder (journals: 3.8 kB per order, 4 GB for --memory 1000000)
# goes at the end unless BENCH_KEEP=1.
# The paths' processes by path (start_paths).
declare -A mid_pid=() ex_pid=() path_admin_port=() path_admin_token=() path_cfg=() path_sent=()
# cleanup: every process still running (the paths' too), then the folder.
cleanup() {
  local pid
  for pid in "${gw_pid:-0}" "${sim_pid:-0}" "${mid_pid[@]}" "${ex_pid[@]}"; do
    stop_process "$pid" || true
  done
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$root"
}
trap 'set +e; cleanup' EXIT
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

# start_exchange_and_router BIN RUN [EXCHANGE]: fixsim as for fixgw
# (docs/examples/fixsim.cfg), or with EXCHANGE=executor QuickFIX's example
# executor ($BENCH_EXECUTOR, built by tests/peers/quickfix_examples/build.sh:
# one fill per limit order, FileStore, its screen log switched off), and
# fixrouter in fixgw's place, with the broker sessions BROKER1, BROKER2 and
# BENCH1..N (BENCH_SESSIONS=N) on gw_port; renders broker2.cfg and
# bench<i>.cfg for fixload like start_exchange_and_gateway. Sets sim_pid
# (the exchange's), gw_pid (the router's), sim_port, gw_port; returns once
# the router's exchange session is logged on.
start_exchange_and_router() {
  local bin="$1" run="$2" exchange="${3:-fixsim}" spec="$PWD/fixspec/FIX44.xml" i
  sim_port=$(free_port)
  gw_port=$(free_port)
  render sim/fixrouter/brokers.cfg "$run/brokers.cfg" PORT="$gw_port" SPEC="$spec"
  render sim/fixrouter/exchange.cfg "$run/exchange.cfg" SIMPORT="$sim_port" SPEC="$spec"
  for i in $(seq 1 "${BENCH_SESSIONS:-0}"); do
    printf '\n[SESSION]\nTargetCompID=BENCH%s\n' "$i" >>"$run/brokers.cfg"
    render docs/examples/fixload.cfg "$run/bench$i.cfg" PORT="$gw_port" SPEC="$spec" SENDER="BENCH$i" TARGET=GW
  done
  render docs/examples/fixload.cfg "$run/broker2.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER2 TARGET=GW
  if [ "$exchange" = executor ]; then
    mkdir -p "$run/executor"
    render tests/peers/quickfix_examples/executor.cfg.in "$run/executor.cfg" PORT="$sim_port" \
      SENDER=SIM TARGET=GW BEGIN=FIX.4.4 USEDD=Y DICT="$spec" DIR="$run/executor" RESET=Y
    printf 'ScreenLogShowIncoming=N\nScreenLogShowOutgoing=N\nScreenLogShowEvents=N\n' >>"$run/executor.cfg"
    "$BENCH_EXECUTOR" "$run/executor.cfg" >"$run/executor.out" 2>&1 &
  else
    render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$sim_port" SPEC="$spec"
    "$bin/fixsim" --config "$run/fixsim.cfg" >"$run/fixsim.out" 2>"$run/fixsim.log" &
  fi
  sim_pid=$!
  wait_port "$sim_port" 10
  "$bin/fixrouter" "$run/brokers.cfg" "$run/exchange.cfg" >"$run/fixrouter.out" 2>"$run/fixrouter.log" &
  gw_pid=$!
  wait_port "$gw_port" 10
  wait_exchange_logon fixrouter "$run/fixrouter.log"
}

# start_path MODE RUN: the exchange and the middle process of MODE (router,
# router-executor, or a fixgw mode of start_exchange_and_gateway).
start_path() {
  case "$1" in
    router) start_exchange_and_router "$bin" "$2" ;;
    router-executor) start_exchange_and_router "$bin" "$2" executor ;;
    *) start_exchange_and_gateway "$bin" "$2" "$1" ;;
  esac
}

# stop_path MODE RUN SENT: stops both processes; for the router, checks its
# own count of the orders it carried to the exchange against SENT (the
# orders fixload sent through it) and prints a JSON line with both.
stop_path() {
  local mode="$1" run="$2" sent="$3"
  if [ "$mode" = router-executor ]; then
    # The executor dies of SIGTERM (exit 143), and stop_process's wait
    # would end this script (set -e) on that status.
    stop_process "$gw_pid"
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    gw_pid=0 sim_pid=0
  else
    stop_both
  fi
  case "$mode" in router*) ;; *) return 0 ;; esac
  local line carried
  line=$(grep "carried" "$run/fixrouter.log" | tail -n 1 || true)
  carried=$(echo "$line" | sed -n 's/.*carried \([0-9]*\) messages to the exchange, \([0-9]*\) to brokers, dropped \([0-9]*\).*/"to_exchange":\1,"to_brokers":\2,"dropped":\3/p')
  echo "{\"router_count\":\"$(basename "$run")\",\"orders_sent\":$sent,${carried:-\"to_exchange\":-1}}" |
    tee -a "$results"
  if ! echo "$carried" | grep -q "\"to_exchange\":$sent,.*\"dropped\":0"; then
    echo "WARNING: fixrouter carried other than the $sent orders sent through it: ${line:-no count (see $run/fixrouter.log)}" >&2
    incomplete=$((incomplete + 1))
  fi
}

incomplete=0
# check_run REQUESTED: the JSON line on stdin (passed through) must show
# every requested order answered and none refused or missing.
check_run() {
  local requested="$1" line
  read -r line || line=""
  echo "$line"
  if ! echo "$line" | grep -q "\"acked\":$requested,\"rejected\":0,\"missing\":0"; then
    echo "WARNING: incomplete run ($requested orders requested): $line" >&2
    return 1
  fi
}

# order_path_line PATH LOAD: fixgw's fixgw_order_path_seconds histograms
# from /metrics as one JSON line: per direction the count, the mean (sum /
# count) and the bucket bounds [lo, hi] that hold the median (µs).
order_path_line() {
  local path="$1" load="$2"
  curl -sf -H "Authorization: Bearer $admin_token" "http://127.0.0.1:$admin_port/metrics" |
    awk -v path="$path" -v load="$load" '
      function label(s, k,   i, v) { i = index(s, k "=\""); if (!i) return ""; v = substr(s, i + length(k) + 2); return substr(v, 1, index(v, "\"") - 1) }
      /^fixgw_order_path_seconds_bucket/ { d = label($1, "path"); le = label($1, "le"); n[d]++; bound[d, n[d]] = (le == "+Inf" ? -1 : le * 1e6); cum[d, n[d]] = $2 }
      /^fixgw_order_path_seconds_sum/ { sum[label($1, "path")] = $2 }
      /^fixgw_order_path_seconds_count/ { cnt[label($1, "path")] = $2 }
      END {
        printf "{\"order_path\":true,\"path\":\"%s\",\"load\":\"%s\"", path, load
        for (d in cnt) {
          lo = 0; hi = -1
          for (i = 1; i <= n[d]; i++) { if (cum[d, i] * 2 >= cnt[d]) { hi = bound[d, i]; break } lo = bound[d, i] }
          printf ",\"%s\":{\"count\":%d,\"mean_us\":%.1f,\"p50_us_from\":%g,\"p50_us_to\":%g}", d, cnt[d], (cnt[d] > 0 ? sum[d] * 1e6 / cnt[d] : 0), lo, hi
        }
        print "}"
      }' | tee -a "$results"
}

# start_paths PATH...: fixsim (or the executor) and fixgw (or fixrouter)
# for each path, all started at once and left running, so that each rep
# takes the paths in turn: on a shared machine the load drifts, and a path
# measured minutes after another would see a different machine. The paths
# not being measured idle meanwhile (heartbeats, fixgw's timers).
start_paths() {
  local path run
  for path in "$@"; do
    run="$root/$path"
    mkdir -p "$run"
    admin_port=0 admin_token=""
    if [ "$path" = direct ]; then
      start_exchange_and_gateway "$bin" "$run" normal
      path_cfg[$path]=direct
    else
      start_path "$path" "$run"
      path_cfg[$path]=broker2
    fi
    mid_pid[$path]=$gw_pid ex_pid[$path]=$sim_pid
    path_admin_port[$path]=$admin_port path_admin_token[$path]=$admin_token
    path_sent[$path]=0
    gw_pid=0 sim_pid=0
  done
}

# stop_paths: stops every path's processes (and checks the router's counts).
stop_paths() {
  local path
  for path in "${!mid_pid[@]}"; do
    gw_pid=${mid_pid[$path]} sim_pid=${ex_pid[$path]}
    unset "mid_pid[$path]" "ex_pid[$path]"
    stop_path "$path" "$root/$path" "${path_sent[$path]}"
  done
}

# run_loads PATH REP: one rep of every load on PATH's running processes.
run_loads() {
  local path="$1" rep="$2" run="$root/$1" load n last
  for load in "--in-flight 1" "--in-flight 100" "--in-flight 200" "--rate $rate"; do
    # Open loop: at most 10 s of orders, which keeps the script short.
    n="$orders"
    case "$load" in --rate*) n=$((rate * 10 < orders ? rate * 10 : orders)) ;; esac
    # shellcheck disable=SC2086
    fixload_json --config "$run/${path_cfg[$path]}.cfg" --orders "$n" $load | tail -n 1 |
      sed "s/^{/{\"path\":\"$path\",\"rep\":$rep,\"load\":\"${load// /}\",\"requested\":$n,/" |
      check_run "$n" | tee -a "$results" || incomplete=$((incomplete + 1))
    last=$(tail -n 1 "$results" | field orders)
    path_sent[$path]=$((${path_sent[$path]} + ${last:-0}))
    # fixgw's own read-to-write time at 1 in flight: the process's first
    # load, so its histograms hold that load only.
    if [ "$rep" = 1 ] && [ "$load" = "--in-flight 1" ] && { [ "$path" = normal ] || [ "$path" = full ]; }; then
      admin_port=${path_admin_port[$path]} admin_token=${path_admin_token[$path]}
      order_path_line "$path" "${load// /}" || echo "WARNING: no /metrics from fixgw" >&2
    fi
  done
}

# cpu_s PID: CPU seconds (user + system) the process has used so far.
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

# run_sessions MODE N: N sessions at once, SESSIONS_IN_FLIGHT orders in
# flight in all (rounded up to a multiple of N).
run_sessions() {
  local mode="$1" n="$2" run="$root/sessions-$1-$2"
  mkdir -p "$run"
  BENCH_SESSIONS="$n" start_path "$mode" "$run"
  local per=$(((orders + n - 1) / n)) in_flight=$(((sessions_in_flight + n - 1) / n))
  local g0 s0 t0 t1 i pids=()
  g0=$(cpu_s "$gw_pid") s0=$(cpu_s "$sim_pid") t0=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    fixload_json --config "$run/bench$i.cfg" --orders "$per" --in-flight "$in_flight" |
      tail -n 1 >"$run/load$i.json" &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(date +%s.%N)
  local acked missing rejected sent tp
  # Each fixload times its own orders (first sent to last answered), not
  # its start and logon: their throughputs are summed.
  tp=$(for f in "$run"/load*.json; do field throughput_ops <"$f"; done | awk '{s += $1} END {print s + 0}')
  acked=$(for f in "$run"/load*.json; do field acked <"$f"; done | awk '{s += $1} END {print s + 0}')
  rejected=$(for f in "$run"/load*.json; do field rejected <"$f"; done | awk '{s += $1} END {print s + 0}')
  missing=$(for f in "$run"/load*.json; do field missing <"$f"; done | awk '{s += $1} END {print s + 0}')
  sent=$(for f in "$run"/load*.json; do field orders <"$f"; done | awk '{s += $1} END {print s + 0}')
  awk -v mode="$mode" -v n="$n" -v acked="$acked" -v missing="$missing" \
      -v rejected="$rejected" -v requested=$((per * n)) -v in_flight=$((in_flight * n)) \
      -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
      -v g="$(awk -v a="$g0" -v b="$(cpu_s "$gw_pid")" 'BEGIN {print b - a}')" \
      -v s="$(awk -v a="$s0" -v b="$(cpu_s "$sim_pid")" 'BEGIN {print b - a}')" \
      -v tp="$tp" \
      'BEGIN {printf "{\"sessions\":%d,\"path\":\"%s\",\"in_flight\":%d,\"requested\":%d,\"acked\":%d,\"rejected\":%d,\"missing\":%d,\"elapsed_s\":%.3f,\"throughput_ops\":%.1f,\"fixgw_cpu_share\":%.2f,\"fixsim_cpu_share\":%.2f,\"middle_cpu_us_per_order\":%.1f,\"fixsim_cpu_us_per_order\":%.1f}\n", n, mode, in_flight, requested, acked, rejected, missing, t, tp, g / t, s / t, acked ? g * 1e6 / acked : 0, acked ? s * 1e6 / acked : 0}' |
    tee -a "$results"
  if [ "$acked" != $((per * n)) ] || [ "$missing" != 0 ] || [ "$rejected" != 0 ]; then
    echo "WARNING: incomplete sessions run $mode x $n: $acked of $((per * n)) acked, $rejected rejected, $missing missing" >&2
    incomplete=$((incomplete + 1))
  fi
  stop_path "$mode" "$run" "$sent"
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
echo "# $orders orders per load, $reps reps, open loop at $rate/s, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)" >&2
paths="router passthrough normal full direct"
# BENCH_EXECUTOR=PATH: also fixload -> fixrouter -> QuickFIX's example
# executor (a plain QuickFIX exchange), to see what fixsim costs the router.
[ -z "${BENCH_EXECUTOR:-}" ] || paths="$paths router-executor"
start_paths $paths
for rep in $(seq 1 "$reps"); do
  for path in $paths; do
    run_loads "$path" "$rep"
  done
done
stop_paths

# runs PATH LOAD: the JSON lines of PATH's runs of LOAD, every rep.
runs() { grep "\"path\":\"$1\",\"rep\":" "$results" | grep "\"load\":\"$2\"" || true; }
# med PATH LOAD FIELD: the median of FIELD over all the reps of PATH/LOAD.
med() { runs "$1" "$2" | field "$3" | median; }
# nmed PATH LOAD FIELD: how many values that median is taken over.
nmed() { runs "$1" "$2" | field "$3" | wc -l; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }
diff_us() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a - b}'; }

# Every median must be over all the reps: a run without a figure (no JSON
# from fixload) would shrink it silently.
for path in $paths; do
  for load in --in-flight1 --in-flight100 --in-flight200 "--rate$rate"; do
    n=$(nmed "$path" "$load" p50_us)
    if [ "$n" != "$reps" ]; then
      echo "WARNING: $path $load: median over $n runs, not $reps" >&2
      incomplete=$((incomplete + 1))
    fi
  done
done

{
  echo
  printf '%-16s %5s %12s %12s %10s %12s %11s %10s %11s %11s\n' path runs "orders/s@100" "orders/s@200" "p50 µs@1" "p99.9 µs@1" "open p50" "open p99" "open p99.9" "open max"
  for path in $paths; do
    printf '%-16s %5s %12s %12s %10s %12s %11s %10s %11s %11s\n' "$path" \
      "$(nmed "$path" --in-flight200 throughput_ops)" \
      "$(med "$path" --in-flight100 throughput_ops)" "$(med "$path" --in-flight200 throughput_ops)" \
      "$(med "$path" --in-flight1 p50_us)" "$(med "$path" --in-flight1 p999_us)" \
      "$(med "$path" "--rate$rate" p50_us)" "$(med "$path" "--rate$rate" p99_us)" \
      "$(med "$path" "--rate$rate" p999_us)" "$(med "$path" "--rate$rate" max_us)"
  done
} >&2

for n in 1 4 16; do
  for mode in router passthrough normal full; do
    run_sessions "$mode" "$n"
  done
done
# sess N MODE: the sessions run's throughput.
sess() { grep "\"sessions\":$1,\"path\":\"$2\"" "$results" | field throughput_ops || true; }
{
  echo
  # CPU per order is the figure to compare: the shares are over the whole
  # run, fixload's logons included, so they read low.
  printf '%-9s %-12s %9s %14s %14s %12s %16s %16s\n' sessions path "in flight" "orders/s" "middle cpu" "fixsim cpu" "middle µs/order" "fixsim µs/order"
  grep '"sessions":' "$results" | while read -r line; do
    printf '%-9s %-12s %9s %14s %14s %12s %16s %16s\n' "$(echo "$line" | field sessions)" \
      "$(echo "$line" | grep -o '"path":"[a-z]*"' | cut -d'"' -f4)" \
      "$(echo "$line" | field in_flight)" \
      "$(echo "$line" | field throughput_ops)" "$(echo "$line" | field fixgw_cpu_share)" \
      "$(echo "$line" | field fixsim_cpu_share)" \
      "$(echo "$line" | field middle_cpu_us_per_order)" \
      "$(echo "$line" | field fixsim_cpu_us_per_order)"
  done
} >&2

tp_router=$(med router --in-flight200 throughput_ops)
tp_pass=$(med passthrough --in-flight100 throughput_ops)
tp_norm=$(med normal --in-flight100 throughput_ops)
tp_full=$(med full --in-flight100 throughput_ops)
tp200_pass=$(med passthrough --in-flight200 throughput_ops)
tp200_norm=$(med normal --in-flight200 throughput_ops)
tp200_full=$(med full --in-flight200 throughput_ops)
p50_router=$(med router --in-flight1 p50_us)
p50_pass=$(med passthrough --in-flight1 p50_us)
p50_norm=$(med normal --in-flight1 p50_us)
p50_full=$(med full --in-flight1 p50_us)
p999_norm=$(med normal --in-flight1 p999_us)
# gw_p50 PATH DIRECTION: the bounds of fixgw's own read-to-write p50.
gw_p50() { grep "\"order_path\":true,\"path\":\"$1\"" "$results" | grep -o "\"$2\":{[^}]*}" | sed 's/^"[a-z_]*"://' || true; }
{
  echo
  echo "against the bare router (issue 19's targets in brackets; 200 in flight):"
  echo "  normal / router throughput:       $(ratio "$tp200_norm" "$tp_router") ($tp200_norm / $tp_router) [>= 0.8]"
  echo "  passthrough / router throughput:  $(ratio "$tp200_pass" "$tp_router")"
  echo "  full / router throughput:         $(ratio "$tp200_full" "$tp_router")"
  echo "  normal p50 at 1 in flight:        +$(diff_us "$p50_norm" "$p50_router") µs over the router's $p50_router [<= +50 µs]"
  echo "  passthrough p50 at 1 in flight:   +$(diff_us "$p50_pass" "$p50_router") µs"
  echo "  normal p99.9 at 1 in flight:      $p999_norm µs [<= 1000 µs]"
  echo "  full / router, 16 sessions:       $(ratio "$(sess 16 full)" "$(sess 16 router)") ($(sess 16 full) / $(sess 16 router)) [>= 0.5]"
  echo "  fixgw read-to-write at 1 in flight (normal, /metrics): $(gw_p50 normal broker_to_exchange) [p50 <= 30 µs]"
  echo "against passthrough (100 in flight, as before):"
  echo "  normal / passthrough: $(ratio "$tp_norm" "$tp_pass"), full / passthrough: $(ratio "$tp_full" "$tp_pass"), normal p50 +$(diff_us "$p50_norm" "$p50_pass") µs"
  echo "incomplete runs or counts: $incomplete"
  echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
} >&2

quiet=$(awk -v t="$tp_norm" 'BEGIN {q = int(t / 8); print (q < 50 ? 50 : q)}')
if [ "${BENCH_SKIP_EXTRAS:-0}" != 1 ]; then
  run_tidal "$quiet"
  run_overload "$(awk -v t="$tp_norm" 'BEGIN {print int(t)}')"
  run_memory "$mem_orders"
fi
# jnum X: X, or null when empty (a part that did not run).
jnum() { echo "${1:-null}" | head -n 1; }
echo "{\"summary\":true,\"orders\":$orders,\"reps\":$reps,\"rate\":$rate,\"sessions_in_flight\":$sessions_in_flight,\"incomplete\":$incomplete,\"max_tp\":{\"passthrough\":$tp_pass,\"normal\":$tp_norm,\"full\":$tp_full,\"direct\":$(med direct --in-flight100 throughput_ops),\"router\":$(med router --in-flight100 throughput_ops)},\"tp_200_in_flight\":{\"router\":$tp_router,\"passthrough\":$tp200_pass,\"normal\":$tp200_norm,\"full\":$tp200_full,\"direct\":$(med direct --in-flight200 throughput_ops)},\"p50_us_1_in_flight\":{\"router\":$p50_router,\"passthrough\":$p50_pass,\"normal\":$p50_norm,\"full\":$p50_full,\"direct\":$(med direct --in-flight1 p50_us)},\"p999_us_1_in_flight\":{\"router\":$(med router --in-flight1 p999_us),\"passthrough\":$(med passthrough --in-flight1 p999_us),\"normal\":$p999_norm,\"full\":$(med full --in-flight1 p999_us),\"direct\":$(med direct --in-flight1 p999_us)},\"ratio_tp_normal_vs_router\":$(ratio "$tp200_norm" "$tp_router"),\"ratio_tp_passthrough_vs_router\":$(ratio "$tp200_pass" "$tp_router"),\"ratio_tp_full_vs_router\":$(ratio "$tp200_full" "$tp_router"),\"p50_added_us_normal_vs_router\":$(diff_us "$p50_norm" "$p50_router"),\"p50_added_us_passthrough_vs_router\":$(diff_us "$p50_pass" "$p50_router"),\"ratio_tp_full_vs_router_16_sessions\":$(ratio "$(sess 16 full)" "$(sess 16 router)"),\"fixgw_read_to_write_1_in_flight\":{\"normal\":$(jnum "$(gw_p50 normal broker_to_exchange)"),\"full\":$(jnum "$(gw_p50 full broker_to_exchange)")},\"ratio_tp_normal_vs_passthrough\":$(ratio "$tp_norm" "$tp_pass"),\"ratio_tp_full_vs_passthrough\":$(ratio "$tp_full" "$tp_pass"),\"p50_added_us_normal_vs_passthrough\":$(diff_us "$p50_norm" "$p50_pass"),\"sessions_tp\":{\"1\":{\"router\":$(sess 1 router),\"passthrough\":$(sess 1 passthrough),\"normal\":$(sess 1 normal),\"full\":$(sess 1 full)},\"4\":{\"router\":$(sess 4 router),\"passthrough\":$(sess 4 passthrough),\"normal\":$(sess 4 normal),\"full\":$(sess 4 full)},\"16\":{\"router\":$(sess 16 router),\"passthrough\":$(sess 16 passthrough),\"normal\":$(sess 16 normal),\"full\":$(sess 16 full)}},\"ratio_tp_full_vs_passthrough_16_sessions\":$(ratio "$(sess 16 full)" "$(sess 16 passthrough)"),\"tidal_quiet_rate\":$quiet,\"tidal_burst_missing\":$(jnum "$(grep '"tidal":"burst"' "$results" | field missing)"),\"overload\":{\"acked\":$(jnum "$(grep '"overload":true' "$results" | field acked)"),\"missing\":$(jnum "$(grep '"overload":true' "$results" | field missing)"),\"fixgw_peak_rss_mb\":$(jnum "$(grep '"overload":true' "$results" | field fixgw_peak_rss_mb)")},\"rss_mb_after\":{\"0\":$(jnum "$(grep '"memory":true,"orders":0,' "$results" | field rss_mb)"),\"$mem_orders\":$(jnum "$(grep "\"memory\":true,\"orders\":$mem_orders," "$results" | field rss_mb)")}}"
