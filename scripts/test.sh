#!/usr/bin/env bash
# The project's test command: installs what is missing, checks the layering
# rules, builds and runs every test. With --sanitize it also runs the whole
# suite under AddressSanitizer + UndefinedBehaviorSanitizer, with --tsan
# under ThreadSanitizer, with --fuzz it runs every libFuzzer harness for
# 20 s (scripts/fuzz.sh); on CI (CI=true) it does all three, and leaves
# out the plain (dev) pass: the ASan/UBSan pass runs the same tests on the
# same code, and on CI's 2 cores each build is minutes (--dev keeps it).
# Usage: scripts/test.sh [--sanitize] [--tsan] [--fuzz] [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

dev=1
sanitize=0
tsan=0
fuzz=0
if [ "${CI:-}" = "true" ]; then
  dev=0
  sanitize=1
  tsan=1
  fuzz=1
fi
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    --tsan) tsan=1 ;;
    --fuzz) fuzz=1 ;;
    --dev) dev=1 ;;
    *) echo "usage: scripts/test.sh [--sanitize] [--tsan] [--fuzz] [--dev]" >&2; exit 2 ;;
  esac
done

scripts/check_layering.sh

# The FIX peers the interop tests run against (tests/peers/): QuickFIX's
# example executor and ordermatch from Debian's libquickfix-doc, jspurefix
# from npm. Built once into build-peers/, shared by every preset.
peers() {
  echo "== peers: QuickFIX examples, jspurefix" >&2
  bash tests/peers/quickfix_examples/build.sh build-peers/quickfix
  bash tests/peers/jspurefix_broker/install.sh build-peers/jspurefix
}

run_preset() {
  local preset="$1"
  shift
  echo "== $preset: build" >&2
  scripts/build.sh "$preset"
  echo "== $preset: test" >&2
  ctest --preset "$preset" -j "$(nproc)" "$@"
}

peers
if [ "$dev" = 1 ]; then
  run_preset dev
fi
if [ "$sanitize" = 1 ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_preset asan-ubsan
fi
if [ "$tsan" = 1 ]; then
  # Every test runs under TSan, none excluded (the router's replay tests
  # take fewer seeds there: see order_router_test.cc).
  TSAN_OPTIONS=halt_on_error=1 run_preset tsan
fi
if [ "$fuzz" = 1 ]; then
  scripts/fuzz.sh 20
fi
