#!/usr/bin/env bash
# The crash battery: does the gateway keep its exactly-once promise when it
# dies at any moment? On 127.0.0.1 free ports: two venues (fixsim SIM, venue
# XA, takes AAPL; fixsim SIM2, venue XB, takes MSFT; --venues 1: SIM alone
# takes both), fixgw (JournalSync per --sync, AdminPort on), two fixload
# brokers sending a mixed flow of orders, cancels and replaces (fixload
# --mix --record; BROKER2 with CancelOnDisconnect=Y, 1 s) and a drop-copy
# consumer DROPCOPY (fixload --script tests/crash/receive.fix: receives
# only, reconnects through the kills). BROKER2 reaches the gateway, and the
# gateway reaches each fixsim, through crashproxy, which cuts a
# connection in the middle of a FIX message on demand. Then, N times: let
# orders flow a random 0.2-2 s and SIGKILL fixgw; every third kill (every
# second with --short) is instead a deterministic crash point inside fixgw
# (FIXGW_CRASH_POINT=<point>:<n>, cycling after-journal, after-send,
# after-report); restart it. A few times a fixsim (each venue in turn) is
# SIGKILLed and restarted too, and each proxy cuts its connection
# mid-message. At the end the brokers stop sending and drain, the drop copy
# catches up, GET /state is saved, everything stops, and
# tests/crash/crashcheck compares what each broker sent and received
# (BROKER2 logs on once more at the end to collect the cancels its
# cancel-on-disconnect owes it), what
# each exchange received and reported (and whether each order reached its
# symbol's venue), what the drop copy received (one copy of every report
# the brokers got), the journal and the state (the definitions are in
# tests/crash/check.h). It prints the bad cases, then the throughput, then
# one line per session
#   crashtest: session NAME (broker|dropcopy|venue): sent=.. received=..
#              lost=.. duplicated=.. ...
# then the summary line
#   crashtest: orders_sent=.. kills=.. lost=.. dup_at_exchange=..
#              reports_lost=.. reports_dup=.. state_mismatch=.. misrouted=..
#              dropcopy_lost=.. dropcopy_dup=.. dropcopy_unmarked=..
#              cod_unexpected=..
# (one line), last. Before the kills (not with --short) the throughput
# of both durability modes is measured with fixload in closed loop, each on
# a fresh fixsim + fixgw, so the cost of JournalSync=full is measured in the
# same run.
#
# Soak (--soak SECONDS): the same flow and checks, but fixgw is never
# killed: for SECONDS the legs are cut mid-message in turn every 10 s (both
# sides' sessions drop and reconnect, with resends) and fixsim is killed
# and restarted every 60 s; fixgw's RSS, open file descriptors and the
# journal's size are sampled every 5 s (soak.tsv) and their growth per
# 1000 orders reported.
#
# Usage: scripts/crashtest.sh [--kills N] [--sync normal|full] [--short]
#          [--soak SECONDS] [--rate R] [--seed S] [--bench | --no-bench]
#          [--venues 1|2] [--bin DIR] [--dir DIR]
#   --kills N    kills of fixgw (default 100; --short: 8)
#   --soak S     no kills: a soak of S seconds (above)
#   --sync M     JournalSync of the crash run (default normal)
#   --short      the test suite's form: 8 kills, one fixsim restart, no
#                throughput measurement, well under a minute
#   --rate R     requests per second per broker (default 100)
#   --seed S     seeds the flow and the kill schedule (default 1)
#   --bench, --no-bench
#                measure (or not) both modes' throughput first (default:
#                yes, except with --short)
#   --venues V   2 (default): two fixsim venues, SIM and SIM2; 1: SIM alone
#   --bin DIR    use the programs in DIR instead of building the release
#                preset (the test suite passes its build's bin/)
#   --dir DIR    put the run's files in DIR (default: a new /tmp directory,
#                kept for inspection)
# Exit codes: 0 every bad count is 0; 1 one is not; 2 the battery itself
# could not run (a program did not start, bad usage).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

kills=""
soak=0
sync=normal
short=0
rate=100
seed=1
bench=""
bin=""
run=""
venues=2
usage() {
  sed -n '/^# Usage:/,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) [ $# -ge 2 ] || usage; kills="$2"; shift 2 ;;
    --sync) [ $# -ge 2 ] || usage; sync="$2"; shift 2 ;;
    --short) short=1; shift ;;
    --soak) [ $# -ge 2 ] || usage; soak="$2"; shift 2 ;;
    --rate) [ $# -ge 2 ] || usage; rate="$2"; shift 2 ;;
    --seed) [ $# -ge 2 ] || usage; seed="$2"; shift 2 ;;
    --bench) bench=1; shift ;;
    --no-bench) bench=0; shift ;;
    --bin) [ $# -ge 2 ] || usage; bin="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || usage; run="$2"; shift 2 ;;
    --venues) [ $# -ge 2 ] || usage; venues="$2"; shift 2 ;;
    *) usage ;;
  esac
done
if [ -z "$kills" ]; then
  kills=100
  [ "$short" = 1 ] && kills=8
fi
case "$kills" in ''|*[!0-9]*) usage ;; esac
case "$rate" in ''|*[!0-9]*) usage ;; esac
case "$seed" in ''|*[!0-9]*) usage ;; esac
case "$soak" in ''|*[!0-9]*) usage ;; esac
[ "$soak" -gt 0 ] && kills=0
case "$sync" in normal|full) ;; *) usage ;; esac
case "$venues" in 1|2) ;; *) usage ;; esac
{ [ "$kills" -ge 1 ] || [ "$soak" -gt 0 ]; } && [ "$rate" -ge 1 ] || usage
[ -n "$bench" ] || bench=$((1 - short))

if [ -z "$bin" ]; then
  scripts/build.sh release >&2
  bin="$PWD/build-release/bin"
fi
bin=$(cd "$bin" && pwd)
for p in fixsim fixgw fixload crashcheck crashproxy; do
  [ -x "$bin/$p" ] || { echo "crashtest: $bin/$p is missing" >&2; exit 2; }
done
if [ -z "$run" ]; then
  run=$(mktemp -d /tmp/fixgw-crash.XXXXXX)
else
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
fi
spec="$PWD/fixspec/FIX44.xml"
RANDOM=$seed
# The battery's own messages go to fd 3 (the caller's stderr); the shell's
# stderr, where bash reports every child it SIGKILLed, goes to a file.
exec 3>&2 2>>"$run/crashtest.stderr"

# Timing of the flow; --short keeps the whole run under a minute.
if [ "$short" = 1 ]; then
  det_every=2 request_timeout=5 drain_timeout=60 bench_orders=1000
  sim_kills_at=" $((kills / 2)) "
  cuts_at=" 1 $((kills - 1)) "
else
  det_every=3 request_timeout=10 drain_timeout=60 bench_orders=5000
  sim_kills_at=" $((kills / 4)) $((kills / 2)) $((3 * kills / 4)) "
  cuts_at=" $((kills / 10)) $((kills / 5)) $((kills * 2 / 5)) $((kills * 3 / 5)) $((kills * 4 / 5)) "
fi
points=(after-journal after-send after-report)

# ---- processes -------------------------------------------------------------

sim_pid=0 sim2_pid=0 gw_pid=0 b1_pid=0 b2_pid=0 dc_pid=0 xproxy_pid=0
x2proxy_pid=0 bproxy_pid=0 bench_sim_pid=0 bench_gw_pid=0
cleanup() {
  local p
  for p in $b1_pid $b2_pid $dc_pid $gw_pid $bench_gw_pid $xproxy_pid $x2proxy_pid \
           $bproxy_pid $sim_pid $sim2_pid $bench_sim_pid; do
    [ "$p" -gt 0 ] 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 2' TERM INT

now_us() { date +%s%6N; }
event() { echo "$(now_us) $*" >>"$run/events.log"; }
fail() {
  echo "crashtest: $*" >&3
  echo "crashtest: files in $run" >&3
  exit 2
}
# sleep_ms LO HI: a random pause in [LO, HI] milliseconds.
sleep_ms() {
  local ms=$(($1 + RANDOM % ($2 - $1 + 1)))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}
# wait_exit PID SECONDS: true once PID is gone (reaped if it is our child).
wait_exit() {
  local pid="$1" deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.02
  done
  wait "$pid" 2>/dev/null || true
  return 0
}
# wait_log FILE TEXT COUNT SECONDS: true once TEXT occurs COUNT times.
wait_log() {
  local deadline=$((SECONDS + $4))
  while [ "$(grep -c -F -- "$2" "$1" 2>/dev/null || true)" -lt "$3" ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}
# http_get PORT PATH DIR: the body of a GET on 127.0.0.1 with the admin
# token of DIR/admin-tokens (render_gw) (curl, or bash alone).
http_get() {
  local auth
  auth="Authorization: Bearer $(awk '$1 == "crashtest" {print $2}' "$3/admin-tokens")"
  if command -v curl >/dev/null; then
    curl -s -f --max-time 5 -H "$auth" "http://127.0.0.1:$1$2"
    return
  fi
  local reply
  reply=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n%s\r\n\r\n" "$1" "$0" "$2" >&3
    cat <&3' "$1" "$2" "$auth") || return 1
  case "$reply" in "HTTP/1."?" 200"*) ;; *) return 1 ;; esac
  printf '%s' "${reply#*$'\r\n\r\n'}"
}

sim_n=0
# start_sim DIR PORT [SIMID]: fixsim SIMID (default SIM) with a fresh
# IdPrefix (ExecIDs never repeat, across venues too); its config and log are
# DIR/<simid>.cfg and DIR/<simid>.log ("fixsim" for SIM).
start_sim() {
  local dir="$1" port="$2" id="${3:-SIM}" name=fixsim
  [ "$id" = SIM ] || name=$(echo "$id" | tr 'A-Z' 'a-z')
  sim_n=$((sim_n + 1))
  render tests/crash/fixsim.cfg.in "$dir/$name.cfg" PORT="$port" SPEC="$spec" \
    DIR="$dir" SIMID="$id" IDPREFIX="S$sim_n-"
  "$bin/fixsim" --config "$dir/$name.cfg" </dev/null 2>>"$dir/$name.log" 3>&- &
  last_pid=$!
  wait_port "$port" 10 || fail "fixsim $id did not start; see $dir/$name.log"
}

# render_gw DIR PORT SIMPORT ADMINPORT SYNC LOG [SIM2PORT]; also
# DIR/admin-tokens (mode 600) with a fresh token named crashtest, once per
# DIR. Without SIM2PORT one venue, SIM.
render_gw() {
  local log="# no FileLog"
  [ "$6" = log ] && log="FileLogPath=$1/gw-log"
  cp tests/crash/risk.toml "$1/risk.toml"
  [ -s "$1/admin-tokens" ] ||
    (umask 077 && "$bin/fixgw" --new-admin-token crashtest >"$1/admin-tokens")
  local v2="# " sim2port=0
  [ -n "${7:-}" ] && v2="" sim2port="$7"
  render tests/crash/fixgw.cfg.in "$1/fixgw.cfg" PORT="$2" SIMPORT="$3" \
    ADMINPORT="$4" SPEC="$spec" DIR="$1" SYNC="$5" LOG="$log" \
    SIM2PORT="$sim2port" V2="$v2"
}

# The gateway's exchange sessions in the crash run (one per venue).
venue_ids=(SIM)
[ "$venues" = 2 ] && venue_ids=(SIM SIM2)
# The receiving sessions the drain waits for on the last incarnation.
receivers=(BROKER1 BROKER2 DROPCOPY)

gw_n=0
gw_spec=""
# start_gw [CRASH_POINT_SPEC]: the crash run's fixgw; waits for its broker
# port and (bounded) for its exchange session.
start_gw() {
  gw_spec="${1:-}"
  gw_n=$((gw_n + 1))
  local logons=() v n
  for v in "${venue_ids[@]}"; do
    n=$(grep -c -F "GW->$v logged on" "$run/fixgw.log" 2>/dev/null || true)
    logons+=("${n:-0}")
  done
  broker_logons=()
  local b n
  for b in "${receivers[@]}"; do
    n=$(grep -c -F "GW->$b logged on" "$run/fixgw.log" 2>/dev/null || true)
    broker_logons+=("${n:-0}")
  done
  if [ -n "$gw_spec" ]; then
    FIXGW_CRASH_POINT="$gw_spec" "$bin/fixgw" --config "$run/fixgw.cfg" \
      </dev/null 2>>"$run/fixgw.log" 3>&- &
  else
    "$bin/fixgw" --config "$run/fixgw.cfg" </dev/null 2>>"$run/fixgw.log" 3>&- &
  fi
  gw_pid=$!
  event "fixgw #$gw_n started (pid $gw_pid${gw_spec:+, FIXGW_CRASH_POINT=$gw_spec})"
  local deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$gw_port") 2>/dev/null; do
    if ! kill -0 "$gw_pid" 2>/dev/null; then
      # A crash point can be reached before the port is polled.
      grep -q "crash point" <(tail -n 3 "$run/fixgw.log") && return 0
      tail -n 20 "$run/fixgw.log" >&3
      fail "fixgw #$gw_n exited at start; see $run/fixgw.log"
    fi
    [ $SECONDS -lt $deadline ] || fail "fixgw #$gw_n does not listen after 30 s"
    sleep 0.05
  done
  deadline=$((SECONDS + 15))
  local i=0
  for v in "${venue_ids[@]}"; do
    while [ "$(grep -c -F "GW->$v logged on" "$run/fixgw.log" 2>/dev/null || true)" -le "${logons[$i]}" ]; do
      kill -0 "$gw_pid" 2>/dev/null || return 0  # died at its crash point
      if [ $SECONDS -ge $deadline ]; then
        event "fixgw #$gw_n: exchange session GW->$v not logged on after 15 s"
        return 0
      fi
      sleep 0.05
    done
    i=$((i + 1))
  done
}

# ---- throughput of both durability modes, same run --------------------------

declare -A bench_ops
measure() {
  local mode="$1" dir="$run/bench-$1"
  mkdir -p "$dir"
  local sp gp ap
  sp=$(free_port) gp=$(free_port) ap=$(free_port)
  start_sim "$dir" "$sp"
  bench_sim_pid=$last_pid
  render_gw "$dir" "$gp" "$sp" "$ap" "$mode" nolog
  render tests/crash/broker.cfg.in "$dir/broker2.cfg" PORT="$gp" SPEC="$spec" \
    SENDER=BROKER2
  "$bin/fixgw" --config "$dir/fixgw.cfg" </dev/null 2>>"$dir/fixgw.log" 3>&- &
  bench_gw_pid=$!
  wait_port "$gp" 20 || fail "bench fixgw did not start; see $dir/fixgw.log"
  wait_log "$dir/fixgw.log" "GW->SIM logged on" 1 15 ||
    fail "bench fixgw's exchange session did not log on"
  "$bin/fixload" --config "$dir/broker2.cfg" --json --symbol MSFT --price 250 \
    --account CR2 --orders "$bench_orders" --in-flight 50 </dev/null \
    >"$dir/fixload.json" 2>"$dir/fixload.log" || true
  bench_ops[$mode]=$(sed -n 's/.*"throughput_ops":\([0-9.]*\).*/\1/p' \
    "$dir/fixload.json" | tail -n 1)
  stop_process $bench_gw_pid
  stop_process $bench_sim_pid
  bench_gw_pid=0 bench_sim_pid=0
  echo "crashtest: bench JournalSync=$mode: $(tail -n 1 "$dir/fixload.json")" >&3
}
if [ "$bench" = 1 ]; then
  measure normal
  measure full
fi

# ---- the crash run -----------------------------------------------------------

sim_port=$(free_port)
sim2_port=""
[ "$venues" = 2 ] && sim2_port=$(free_port)
xproxy_port=$(free_port)
x2proxy_port=""
[ "$venues" = 2 ] && x2proxy_port=$(free_port)
gw_port=$(free_port)
bproxy_port=$(free_port)
admin_port=$(free_port)
if [ "$soak" -gt 0 ]; then
  echo "crashtest: files in $run; soak of $soak s, JournalSync=$sync, $rate requests/s per broker, seed $seed" >&3
else
  echo "crashtest: files in $run; $kills kills, JournalSync=$sync, $rate requests/s per broker, seed $seed, $venues venue(s)" >&3
fi

start_sim "$run" "$sim_port"
sim_pid=$last_pid
if [ "$venues" = 2 ]; then
  start_sim "$run" "$sim2_port" SIM2
  sim2_pid=$last_pid
fi
"$bin/crashproxy" --name exchange --listen "$xproxy_port" --connect "$sim_port" \
  </dev/null 2>>"$run/proxy-exchange.log" 3>&- &
xproxy_pid=$!
"$bin/crashproxy" --name broker2 --listen "$bproxy_port" --connect "$gw_port" \
  </dev/null 2>>"$run/proxy-broker2.log" 3>&- &
bproxy_pid=$!
wait_port "$xproxy_port" 10 || fail "crashproxy did not start"
if [ "$venues" = 2 ]; then
  "$bin/crashproxy" --name exchange2 --listen "$x2proxy_port" \
    --connect "$sim2_port" </dev/null 2>>"$run/proxy-exchange2.log" 3>&- &
  x2proxy_pid=$!
  wait_port "$x2proxy_port" 10 || fail "crashproxy did not start"
fi
wait_port "$bproxy_port" 10 || fail "crashproxy did not start"
render_gw "$run" "$gw_port" "$xproxy_port" "$admin_port" "$sync" log \
  "$x2proxy_port"
render tests/crash/broker.cfg.in "$run/broker1.cfg" PORT="$gw_port" \
  SPEC="$spec" SENDER=BROKER1
render tests/crash/broker.cfg.in "$run/dropcopy.cfg" PORT="$gw_port" \
  SPEC="$spec" SENDER=DROPCOPY
render tests/crash/broker.cfg.in "$run/broker2.cfg" PORT="$bproxy_port" \
  SPEC="$spec" SENDER=BROKER2

# next_spec: the crash point for the gateway started after kill K (0: the
# first), or "" (set here, not echoed: a subshell would not advance RANDOM).
spec_for() {
  local k=$(($1 + 1))
  next_spec=""
  if [ "$k" -le "$kills" ] && [ $((k % det_every)) -eq 0 ]; then
    next_spec="${points[$(((k / det_every - 1) % 3))]}:$((1 + RANDOM % 25))"
  fi
}

spec_for 0
start_gw "$next_spec"
instruments="AAPL:0.01:100.00,MSFT:0.01:250.00"
start_broker() {
  local n="$1" account="$2"
  "$bin/fixload" --config "$run/broker$n.cfg" --mix --rate "$rate" \
    --max-in-flight 100 --duration 3600 --account "$account" \
    --instruments "$instruments" --id-prefix "B$n" --seed $((seed * 10 + n)) \
    --store-dir "$run/broker$n-store" --record "$run/broker$n.rec" \
    --request-timeout "$request_timeout" --drain-timeout "$drain_timeout" \
    --logon-timeout 30 --json </dev/null >"$run/broker$n.json" \
    2>"$run/broker$n.log" 3>&- &
  last_pid=$!
}
start_broker 1 CR1
b1_pid=$last_pid
start_broker 2 CR2
b2_pid=$last_pid
# The drop-copy consumer: receives only; its record is what its application
# got, its message log shows 797 on each copy.
"$bin/fixload" --config "$run/dropcopy.cfg" --script tests/crash/receive.fix \
  --store-dir "$run/dropcopy-store" --record "$run/dropcopy.rec" \
  --log-dir "$run/dropcopy-log" --logon-timeout 30 </dev/null \
  >"$run/dropcopy.out" 2>"$run/dropcopy.log" 3>&- &
dc_pid=$!
event "brokers and drop copy started"
flow_start=$(now_us)

random_kills=0 point_kills=0 missed_points=0 sim_kills=0 cut_requests=0

# sample: one line of soak.tsv: seconds, fixgw RSS (kB), its open fds, the
# journal's bytes (with its WAL), orders the brokers sent so far.
sample() {
  local rss fds bytes
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$gw_pid/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$gw_pid/fd" 2>/dev/null | wc -l)
  bytes=$(cat "$run/journal.db" "$run/journal.db-wal" 2>/dev/null | wc -c)
  local orders
  orders=$(cat "$run/broker1.rec" "$run/broker2.rec" 2>/dev/null | grep -c -P '^dir=out\ttime_us=[0-9]*\ttype=D\t' || true)
  printf '%s\t%s\t%s\t%s\t%s\n' "$(( ($(now_us) - flow_start) / 1000000 ))" \
    "${rss:-0}" "$fds" "$bytes" "${orders:-0}" >>"$run/soak.tsv"
}
# cut_leg: a mid-message cut, in turn on BROKER2's leg and an exchange leg
# (with two venues SIM's and SIM2's in turn).
cut_leg() {
  cut_requests=$((cut_requests + 1))
  if [ $((cut_requests % 2)) -eq 1 ]; then
    kill -USR1 "$bproxy_pid"
    event "cut requested on BROKER2's leg"
  elif [ "$venues" = 2 ] && [ $((cut_requests % 4)) -eq 0 ]; then
    kill -USR1 "$x2proxy_pid"
    event "cut requested on the exchange leg of SIM2"
  else
    kill -USR1 "$xproxy_pid"
    event "cut requested on the exchange leg of SIM"
  fi
}
# kill_sim [LO HI]: SIGKILL one fixsim (with two venues SIM2 first, then
# each in turn), pause LO-HI ms if given, restart it.
kill_sim() {
  local id=SIM var=sim_pid port=$sim_port
  if [ "$venues" = 2 ] && [ $((sim_kills % 2)) -eq 0 ]; then
    id=SIM2 var=sim2_pid port=$sim2_port
  fi
  kill -KILL "${!var}" 2>/dev/null || true
  wait_exit "${!var}" 10 || fail "fixsim $id survives SIGKILL"
  event "fixsim $id SIGKILLed"
  sim_kills=$((sim_kills + 1))
  [ $# -eq 2 ] && sleep_ms "$1" "$2"
  start_sim "$run" "$port" "$id"
  printf -v "$var" '%s' "$last_pid"
  event "fixsim $id restarted"
}
if [ "$soak" -gt 0 ]; then
  printf 'seconds\trss_kb\tfds\tjournal_bytes\torders\n' >"$run/soak.tsv"
  soak_end=$((SECONDS + soak))
  tick=0
  while [ $SECONDS -lt $soak_end ]; do
    sleep 5
    tick=$((tick + 5))
    for b in $b1_pid $b2_pid $dc_pid; do
      kill -0 "$b" 2>/dev/null || fail "a fixload broker or the drop copy exited early; see $run/broker*.log, $run/dropcopy.log"
    done
    kill -0 "$gw_pid" 2>/dev/null || fail "fixgw died during the soak; see $run/fixgw.log"
    sample
    if [ $((tick % 10)) -eq 0 ]; then
      cut_leg
    fi
    if [ $((tick % 60)) -eq 0 ]; then
      kill_sim
    fi
  done
  echo "crashtest: soak of $soak s done, $sim_kills fixsim restart(s), $cut_requests cut(s) requested" >&3
  broker_logons=(-1 -1 -1)  # no restart to wait for
fi
for ((k = 1; k <= kills; k++)); do
  for b in $b1_pid $b2_pid $dc_pid; do
    kill -0 "$b" 2>/dev/null || fail "a fixload broker or the drop copy exited early; see $run/broker*.log, $run/dropcopy.log"
  done
  if [ -n "$gw_spec" ]; then
    # The gateway kills itself at its crash point; bounded wait.
    if wait_exit "$gw_pid" 20; then
      how="crash point $gw_spec"
      point_kills=$((point_kills + 1))
    else
      kill -KILL "$gw_pid" 2>/dev/null || true
      wait_exit "$gw_pid" 10 || fail "fixgw #$gw_n survives SIGKILL"
      how="SIGKILL (crash point $gw_spec not reached in 20 s)"
      missed_points=$((missed_points + 1))
    fi
  else
    sleep_ms 200 2000
    kill -KILL "$gw_pid" 2>/dev/null || true
    wait_exit "$gw_pid" 10 || fail "fixgw #$gw_n survives SIGKILL"
    how="SIGKILL at a random moment"
    random_kills=$((random_kills + 1))
  fi
  event "kill $k: fixgw #$gw_n died: $how"
  if [[ "$sim_kills_at" == *" $k "* ]]; then
    kill_sim 200 800
  fi
  spec_for "$k"
  start_gw "$next_spec"
  if [[ "$cuts_at" == *" $k "* ]]; then
    sleep_ms 300 1000
    cut_leg
  fi
done
echo "crashtest: $kills kills done ($random_kills random, $point_kills at crash points, $missed_points crash points not reached), $sim_kills fixsim restart(s)" >&3

# ---- drain and verdict -------------------------------------------------------

# Both brokers back on the last incarnation, so nothing is in flight only
# because a session was down when they are told to stop.
deadline=$((SECONDS + 30))
i=0
for b in "${receivers[@]}"; do
  while [ "$(grep -c -F "GW->$b logged on" "$run/fixgw.log" || true)" -le "${broker_logons[$i]}" ]; do
    if [ $SECONDS -ge $deadline ]; then
      event "$b not logged on to the last fixgw after 30 s"
      break
    fi
    sleep 0.05
  done
  i=$((i + 1))
done
sleep 2  # some flow through the last incarnation
event "stopping the brokers (SIGTERM: stop sending, drain)"
flow_end=$(now_us)
kill -TERM "$b1_pid" "$b2_pid" 2>/dev/null || true
for b in b1_pid b2_pid; do
  wait_exit "${!b}" $((drain_timeout + 30)) ||
    { kill -KILL "${!b}" 2>/dev/null || true; event "$b did not drain"; }
  printf -v "$b" 0
done
event "brokers stopped"
# BROKER2 has CancelOnDisconnect=Y (1 s): its logout just now armed it, and
# the cancels of its open orders are owed to it. It logs on once more (same
# store: what it missed is resent) and collects them for 5 s.
sleep 2
event "BROKER2 logs on again to collect its cancel-on-disconnect cancels"
timeout -s TERM -k 10 5 "$bin/fixload" --config "$run/broker2.cfg" \
  --script tests/crash/receive.fix --store-dir "$run/broker2-store" \
  --record "$run/broker2-end.rec" --logon-timeout 10 </dev/null \
  >"$run/broker2-end.out" 2>"$run/broker2-end.log" 3>&- || true
event "BROKER2 logged out again"
# The drop copy catches up: its record stops growing for 2 s (bounded).
deadline=$((SECONDS + 30))
last_lines=-1 still=0
while [ $SECONDS -lt $deadline ] && [ $still -lt 20 ]; do
  lines=$(wc -l <"$run/dropcopy.rec" 2>/dev/null || echo 0)
  if [ "$lines" = "$last_lines" ]; then still=$((still + 1)); else still=0; fi
  last_lines=$lines
  sleep 0.1
done
[ $still -ge 20 ] || event "the drop copy still receiving after 30 s"
stop_process $dc_pid
dc_pid=0
event "drop copy stopped"
state_ok=0
for _ in 1 2 3 4 5; do
  if http_get "$admin_port" /state "$run" >"$run/state.json"; then
    state_ok=1
    break
  fi
  sleep 1
done
[ "$state_ok" = 1 ] || echo "crashtest: GET /state failed" >&3
stop_process $gw_pid
gw_pid=0
stop_process $xproxy_pid
stop_process $x2proxy_pid
stop_process $bproxy_pid
xproxy_pid=0 x2proxy_pid=0 bproxy_pid=0
stop_process $sim_pid
stop_process $sim2_pid
sim_pid=0 sim2_pid=0
event "all stopped"

set +e
venue_args=(--venue "SIM::$run/sim-log/FIX.4.4-SIM-GW.messages.current.log")
if [ "$venues" = 2 ]; then
  venue_args=(--venue "SIM=XA:AAPL:$run/sim-log/FIX.4.4-SIM-GW.messages.current.log"
    --venue "SIM2=XB:MSFT:$run/sim-log/FIX.4.4-SIM2-GW.messages.current.log")
fi
end_args=()
[ -s "$run/broker2-end.rec" ] && end_args=(--record "$run/broker2-end.rec")
"$bin/crashcheck" --record "$run/broker1.rec" --record "$run/broker2.rec" \
  "${end_args[@]}" "${venue_args[@]}" --cancel-on-disconnect BROKER2 --dropcopy-record "$run/dropcopy.rec" \
  --dropcopy-log "$run/dropcopy-log/FIX.4.4-DROPCOPY-GW.messages.current.log" \
  --journal "$run/journal.db" --state "$run/state.json" \
  --risk "$run/risk.toml" --events "$run/events.log" --kills "$kills" \
  >"$run/check.out" 2>&1
verdict=$?
set -e
[ $verdict -le 1 ] || { cat "$run/check.out" >&3; fail "crashcheck failed to run"; }

cuts=$(cat "$run"/proxy-*.log | grep -c ": cut connection" || true)
orders=0 drained=""
for n in 1 2; do
  o=$(sed -n 's/.*"orders":\([0-9]*\).*/\1/p' "$run/broker$n.json" | tail -n 1)
  orders=$((orders + ${o:-0}))
  grep -q '"drained":true' "$run/broker$n.json" 2>/dev/null ||
    drained="$drained BROKER$n"
done
flow_s=$(awk -v a="$flow_start" -v b="$flow_end" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
flow_ops=$(awk -v n="$orders" -v a="$flow_start" -v b="$flow_end" \
  'BEGIN { printf "%.0f", n / ((b - a) / 1e6) }')

grep -v -e '^crashtest: orders_sent=' -e '^crashtest: session ' \
  "$run/check.out" | head -n 400
if [ "$(wc -l <"$run/check.out")" -gt 400 ]; then
  echo "... (all of it in $run/check.out)"
fi
echo "crashtest: run: JournalSync=$sync, $kills fixgw kills ($random_kills random, $point_kills at crash points, $missed_points points not reached and SIGKILLed), $sim_kills fixsim kill(s), $cuts mid-message cut(s); brokers drained: ${drained:+not}${drained:-both}; files in $run"
echo "crashtest: throughput: mixed flow $flow_ops orders/s through the kills ($orders orders in $flow_s s, $rate requests/s per broker offered)"
if [ "$soak" -gt 0 ] && [ "$(wc -l <"$run/soak.tsv")" -ge 3 ]; then
  # Growth between the first and the last sample, per 1000 orders.
  awk -F '\t' 'NR == 2 { r0 = $2; f0 = $3; j0 = $4; o0 = $5 }
    NR > 1 { r = $2; f = $3; j = $4; o = $5; if ($2 > rmax) rmax = $2; if ($3 > fmax) fmax = $3 }
    END {
      n = o - o0; k = (n > 0) ? n / 1000 : 1
      printf "crashtest: soak: %d orders between samples; fixgw RSS %.1f -> %.1f MB (max %.1f, %+.1f kB per 1000 orders); open fds %d -> %d (max %d); journal %.1f -> %.1f MB (%.0f bytes per order)\n",
        n, r0 / 1024, r / 1024, rmax / 1024, (r - r0) / k, f0, f, fmax, j0 / 1048576, j / 1048576, (n > 0) ? (j - j0) / n : 0
    }' "$run/soak.tsv"
fi
if [ "$bench" = 1 ]; then
  awk -v n="${bench_ops[normal]:-0}" -v f="${bench_ops[full]:-0}" -v o="$bench_orders" 'BEGIN {
    printf "crashtest: throughput: closed loop, 50 in flight, %d orders each: JournalSync=normal %.0f orders/s, full %.0f orders/s", o, n, f
    if (n > 0) printf " (full costs %.0f%%)", 100 * (n - f) / n
    printf "\n" }'
fi
grep '^crashtest: session ' "$run/check.out"
grep '^crashtest: orders_sent=' "$run/check.out"
exit $verdict
