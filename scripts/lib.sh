# Shell helpers shared by demo.sh and bench.sh (sourced, not run).

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  local p
  for _ in $(seq 1 200); do
    # Below Linux's ephemeral range (32768-60999): a port there may be the
    # local end of any outgoing connection, and a listener then cannot bind
    # it (seen: crashproxy "Address already in use" under a parallel run).
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_port PORT SECONDS: succeeds once 127.0.0.1:PORT accepts connections.
wait_port() {
  local port="$1" deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$port after $2 s" >&2
  return 1
}

# render TEMPLATE OUT KEY=VALUE...: copies TEMPLATE to OUT replacing @KEY@.
render() {
  local template="$1" out="$2"
  shift 2
  cp "$template" "$out"
  local kv
  for kv in "$@"; do
    sed -i "s|@${kv%%=*}@|${kv#*=}|g" "$out"
  done
}

# stop_process PID: SIGTERM, then SIGKILL after 10 s.
stop_process() {
  local pid="${1:-0}"
  [ "$pid" -gt 0 ] 2>/dev/null || return 0  # never "kill 0": our own group
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    # A child killed by the signal makes wait fail: not an error here.
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# start_exchange_and_gateway BIN RUN: renders docs/examples configs into RUN,
# starts fixsim and fixgw from BIN on free loopback ports and waits until the
# gateway's exchange session is logged on. Sets sim_pid, gw_pid, sim_port,
# gw_port, admin_port, admin_token; the caller stops them (stop_process). The risk file
# is docs/examples/risk.toml, copied into RUN. Also renders broker1.cfg,
# broker2.cfg (towards fixgw) and direct.cfg (towards fixsim) for fixload.
#
# BENCH_SESSIONS=N in the environment adds N broker sessions (see below).
# An optional third argument MODE changes the gateway's [GATEWAY] section:
# normal (default), full (JournalSync=full) or passthrough (PassThrough=Y:
# no journal, no risk; the benchmark baseline).
start_exchange_and_gateway() {
  local bin="$1" run="$2" mode="${3:-normal}" spec="$PWD/fixspec/FIX44.xml"
  sim_port=$(free_port)
  gw_port=$(free_port)
  admin_port=$(free_port)
  cp docs/examples/risk.toml "$run/risk.toml"
  render docs/examples/fixsim.cfg "$run/fixsim.cfg" PORT="$sim_port" SPEC="$spec"
  render docs/examples/fixgw.cfg "$run/fixgw.cfg" PORT="$gw_port" SIMPORT="$sim_port" ADMINPORT="$admin_port" SPEC="$spec" DIR="$run"
  case "$mode" in
    normal) ;;
    full) sed -i 's/^JournalSync=.*/JournalSync=full/' "$run/fixgw.cfg" ;;
    passthrough)
      sed -i '/^JournalPath=/d; /^JournalSync=/d; /^RiskConfig=/d' "$run/fixgw.cfg"
      echo "PassThrough=Y" >>"$run/fixgw.cfg" ;;
    *) echo "start_exchange_and_gateway: unknown mode $mode" >&2; return 1 ;;
  esac
  # BENCH_SESSIONS=N (environment): N more broker sessions BENCH1..N, each
  # entitled to the LOAD account, with fixload configs bench<i>.cfg.
  local i
  for i in $(seq 1 "${BENCH_SESSIONS:-0}"); do
    printf '\n[SESSION]\nConnectionType=acceptor\nTargetCompID=BENCH%s\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort=%s\n' \
      "$i" "$gw_port" >>"$run/fixgw.cfg"
    printf '\n[sessions."FIX.4.4:GW->BENCH%s"]\nallowed_accounts = ["LOAD"]\n' "$i" >>"$run/risk.toml"
    render docs/examples/fixload.cfg "$run/bench$i.cfg" PORT="$gw_port" SPEC="$spec" SENDER="BENCH$i" TARGET=GW
  done
  render docs/examples/fixload.cfg "$run/broker1.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER1 TARGET=GW
  render docs/examples/fixload.cfg "$run/broker2.cfg" PORT="$gw_port" SPEC="$spec" SENDER=BROKER2 TARGET=GW
  render docs/examples/fixload.cfg "$run/direct.cfg" PORT="$sim_port" SPEC="$spec" SENDER=CLIENT1 TARGET=SIM

  launch_exchange_and_gateway "$bin" "$run"
}

# make_admin_token BIN RUN: RUN/admin-tokens (mode 600, the gateway's
# AdminTokenFile) with one fresh token named ops, unless it exists; sets
# admin_token to that token for `curl -H "Authorization: Bearer $admin_token"`.
make_admin_token() {
  local bin="$1" run="$2"
  [ -s "$run/admin-tokens" ] ||
    (umask 077 && "$bin/fixgw" --new-admin-token ops >"$run/admin-tokens")
  admin_token=$(awk '$1 == "ops" {print $2}' "$run/admin-tokens")
}

# launch_exchange_and_gateway BIN RUN: starts fixsim and fixgw from BIN with
# RUN/fixsim.cfg and RUN/fixgw.cfg (stdout to .out, stderr to .log files in
# RUN), sets sim_pid and gw_pid, and waits until they listen on sim_port and
# gw_port and the gateway's exchange session is logged on. Makes the admin
# token first (make_admin_token).
launch_exchange_and_gateway() {
  local bin="$1" run="$2"
  make_admin_token "$bin" "$run"
  "$bin/fixsim" --config "$run/fixsim.cfg" >"$run/fixsim.out" 2>"$run/fixsim.log" &
  sim_pid=$!
  wait_port "$sim_port" 10
  "$bin/fixgw" --config "$run/fixgw.cfg" >"$run/fixgw.out" 2>"$run/fixgw.log" &
  gw_pid=$!
  wait_port "$gw_port" 10
  wait_exchange_logon fixgw "$run/fixgw.log"
}

# wait_exchange_logon NAME LOG: waits (10 s at most) until LOG says the
# GW->SIM session logged on; 1 with a line naming NAME and LOG otherwise.
wait_exchange_logon() {
  local name="$1" log="$2"
  for _ in $(seq 1 100); do
    grep -q "GW->SIM logged on" "$log" && return 0
    sleep 0.1
  done
  echo "$name's exchange session did not log on; see $log" >&2
  return 1
}
