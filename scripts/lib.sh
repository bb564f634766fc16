# Shell helpers shared by demo.sh and bench.sh (sourced, not run).

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
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
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
