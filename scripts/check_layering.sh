#!/usr/bin/env bash
# Dependency rules that the compiler cannot see:
# - QuickFIX is included only through gateway/fix/quickfix.h, and only by
#   FIX-facing code (gateway/, sim/ adapters, fixspec tests, tests/);
# - the pure modules (gateway/core, risk/, store/, sim/engine) never include
#   QuickFIX or the FIX adapter layer;
# - no double/float for money, prices or quantities in domain code.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

direct=$(git grep --untracked -n -E '#include *[<"]quickfix/' -- '*.h' '*.cc' ':!gateway/fix/quickfix.h' || true)
if [ -n "$direct" ]; then
  echo "layering: include QuickFIX only through gateway/fix/quickfix.h:" >&2
  echo "$direct" >&2
  fail=1
fi

pure=$(git grep --untracked -n -E '#include *"gateway/fix/' -- 'gateway/core' 'gateway/net' 'risk' 'store' 'sim/engine' 2>/dev/null || true)
if [ -n "$pure" ]; then
  echo "layering: pure modules must not include the FIX adapter layer:" >&2
  echo "$pure" >&2
  fail=1
fi

floats=$(git grep --untracked -n -E '\b(double|float)\b' -- 'gateway/core/*.h' 'gateway/core/*.cc' 'risk' 'store' 'sim/engine' 2>/dev/null | grep -v '_test\.cc:' || true)
if [ -n "$floats" ]; then
  echo "layering: no floating point in domain code (fixed-point only):" >&2
  echo "$floats" >&2
  fail=1
fi

exit $fail
