#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset `fuzz`: clang, ASan + UBSan) and
# runs each one for SECONDS (default 20), one after the other, each as one
# in-process libFuzzer run (no -jobs/-workers: those fork helper processes
# and write their own logs; one process is one core), from the committed seeds in tests/fuzz/corpus/ with
# the FIX dictionary tests/fuzz/fix.dict. What a run adds to the corpus goes
# to build-fuzz/corpus/<name>/ (not committed); a crash leaves its input in
# build-fuzz/artifacts/ and makes the script exit 1.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]
#   HARNESS: broker_inbound exchange_inbound risk_file gateway_config
#            journal_reader framer (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] &&
  harnesses=(broker_inbound exchange_inbound risk_file gateway_config journal_reader framer)

scripts/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j 2

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p build-fuzz/artifacts
failed=()
for h in "${harnesses[@]}"; do
  corpus="build-fuzz/corpus/$h"
  mkdir -p "$corpus" "tests/fuzz/corpus/$h"
  # The transport's framer starts from the brokers' byte streams.
  seeds=("tests/fuzz/corpus/$h")
  [ "$h" = framer ] && seeds+=(tests/fuzz/corpus/broker_inbound)
  echo "== fuzz $h for ${seconds}s" >&2
  if ! "build-fuzz/bin/${h}_fuzz" -max_total_time="$seconds" \
      -dict=tests/fuzz/fix.dict -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/$h-" \
      "$corpus" "${seeds[@]}" 2>"build-fuzz/$h.log"; then
    failed+=("$h")
    tail -n 40 "build-fuzz/$h.log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^#[0-9]+ +DONE" \
    "build-fuzz/$h.log" >&2 || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs in build-fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: no crash in ${harnesses[*]}" >&2
