#!/usr/bin/env bash
# Times fixreplay on journals of N entries and reports wall time and peak
# RSS (/usr/bin/time -v), to show that the plain trail's memory does not
# grow with the journal. Journals are written by replay_bench (realistic
# order flow through the OrderRouter, see replay_bench.cc) into a temporary
# directory that is removed at the end.
#
# Usage: gateway/fixreplay/replay_bench.sh [BUILD_DIR] [ENTRIES...]
#   BUILD_DIR defaults to build-release (cmake --preset release first);
#   ENTRIES defaults to "100000 1000000".
set -euo pipefail
cd "$(dirname "$0")/../.."

build="${1:-build-release}"
shift || true
sizes=("$@")
if [ "${#sizes[@]}" -eq 0 ]; then sizes=(100000 1000000); fi

cmake --build "$build" --target fixreplay replay_bench >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/replay-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

measure() {  # label, then the fixreplay arguments
  local label="$1"
  shift
  /usr/bin/time -v "$build/bin/fixreplay" "$@" >/dev/null 2>"$work/time"
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  printf '%-40s %8s %10s KB\n' "$label" "$wall" "$rss"
}

printf '%-40s %8s %13s\n' "run" "wall" "peak RSS"
for n in "${sizes[@]}"; do
  journal="$work/journal-$n.db"
  "$build/bin/replay_bench" "$journal" "$n" >/dev/null
  measure "$n: fixreplay J" "$journal"
  measure "$n: fixreplay J --format csv" "$journal" --format csv
  measure "$n: fixreplay J --format json" "$journal" --format json
  measure "$n: fixreplay J --verify" "$journal" --verify
  measure "$n: fixreplay J --order c100" "$journal" --order c100
  measure "$n: fixreplay J --as-of 2100-01-01" "$journal" --as-of 2100-01-01
  rm -f "$journal" "$journal"-wal "$journal"-shm
done
